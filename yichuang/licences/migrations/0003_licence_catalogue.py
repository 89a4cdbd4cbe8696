"""Seed the licence catalogue (证照目录): the national licence types with their data items."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from yichuang.licences.catalogue import licence_catalogue_seed

    licence_catalogue_seed(apps.get_model("licences", "LicenceType"))


class Migration(migrations.Migration):
    dependencies = [("licences", "0002_authorisations_and_uses")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
