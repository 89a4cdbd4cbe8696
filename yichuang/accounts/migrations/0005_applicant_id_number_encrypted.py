# ID numbers encrypted at rest, uniqueness on the keyed hash (docs/encryption.md).

from django.db import migrations, models

import yichuang.core.crypto_fields
import yichuang.core.validators


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_login_lockout"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="applicant",
            name="applicant_identifier_matches_kind",
        ),
        migrations.RemoveConstraint(
            model_name="applicant",
            name="applicant_unique_id_number",
        ),
        migrations.AddField(
            model_name="applicant",
            name="id_number_hash",
            field=yichuang.core.crypto_fields.KeyedHashField(source="id_number"),
        ),
        migrations.AlterField(
            model_name="applicant",
            name="id_number",
            field=yichuang.core.crypto_fields.EncryptedTextField(
                blank=True,
                max_length=18,
                validators=[yichuang.core.validators.validate_id_number],
                verbose_name="公民身份号码",
            ),
        ),
        yichuang.core.crypto_fields.encrypt_column("accounts", "applicant", "id_number"),
        migrations.AddConstraint(
            model_name="applicant",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("kind", "natural"),
                        models.Q(("id_number_hash", ""), _negated=True),
                        ("credit_code", ""),
                    ),
                    models.Q(
                        ("kind", "legal"),
                        models.Q(("credit_code", ""), _negated=True),
                        ("id_number_hash", ""),
                    ),
                    _connector="OR",
                ),
                name="applicant_identifier_matches_kind",
                violation_error_message="自然人须填写身份证号码，法人须填写统一社会信用代码",
            ),
        ),
        migrations.AddConstraint(
            model_name="applicant",
            constraint=models.UniqueConstraint(
                condition=models.Q(("id_number_hash", ""), _negated=True),
                fields=("id_number_hash",),
                name="applicant_unique_id_number",
                violation_error_message="该身份证号码已登记",
            ),
        ),
    ]
