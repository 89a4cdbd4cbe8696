"""Notice numbers (文号) move from one yearly counter per kind to one per kind and department.

Each department's new counter starts where the shared one stood, so no number already issued repeats.
"""

from django.db import migrations


def split_counters(apps, schema_editor):
    CaseSequence = apps.get_model("cases", "CaseSequence")
    CaseNotice = apps.get_model("cases", "CaseNotice")
    shared = CaseSequence.objects.filter(implementation_code__startswith="notice-")
    for counter in shared:
        kind = counter.implementation_code.removeprefix("notice-")
        if "-" in kind:
            continue  # already per department
        departments = (
            CaseNotice.objects.filter(kind=kind, issued_at__year=counter.day.year)
            .values_list("case__department_id", flat=True)
            .distinct()
        )
        for department_id in departments:
            CaseSequence.objects.update_or_create(
                implementation_code=f"notice-{kind}-{department_id}",
                day=counter.day,
                defaults={"last": counter.last},
            )


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_fewer_case_indexes")]

    operations = [migrations.RunPython(split_counters, migrations.RunPython.noop)]
