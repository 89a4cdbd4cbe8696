"""The default handling limits (DESIGN §4) as rows the admin can edit: sign (and return) within 2 / 8 / 24
working hours for urgency A / B / C; handle within the working days below."""

from django.db import migrations

SIGN_HOURS = {"A": 2, "B": 8, "C": 24}
HANDLE_DAYS = {
    "consult": {"A": 1, "B": 1, "C": 2},
    "help": {"A": 1, "B": 3, "C": 5},
    "suggest": {"A": 5, "B": 7, "C": 10},
    "praise": {"A": 5, "B": 5, "C": 5},
    "complaint": {"A": 3, "B": 7, "C": 15},
    "report": {"A": 3, "B": 7, "C": 15},
}


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    limit = apps.get_model("hotline", "HotlineLimit")
    for nature, days in HANDLE_DAYS.items():
        for urgency, handle_days in days.items():
            limit.objects.get_or_create(
                nature=nature,
                urgency=urgency,
                defaults={
                    "sign_hours": SIGN_HOURS[urgency],
                    "return_hours": SIGN_HOURS[urgency],
                    "handle_days": handle_days,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_hotline_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
