# Login lockout counts (yichuang/accounts/models_security.py).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_language"),
    ]

    operations = [
        migrations.CreateModel(
            name="LoginThrottle",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "scope",
                    models.CharField(
                        choices=[("username", "用户名"), ("address", "客户端地址")],
                        max_length=10,
                        verbose_name="范围",
                    ),
                ),
                ("key", models.CharField(max_length=64)),
                ("label", models.CharField(max_length=150, verbose_name="用户名或地址")),
                ("failures", models.PositiveIntegerField(default=0, verbose_name="失败次数")),
                ("window_started_at", models.DateTimeField(verbose_name="计数开始于")),
                ("locked_until", models.DateTimeField(blank=True, null=True, verbose_name="锁定至")),
                ("updated_at", models.DateTimeField(db_index=True, verbose_name="最近失败于")),
            ],
            options={
                "verbose_name": "登录锁定",
                "verbose_name_plural": "登录锁定",
                "constraints": [
                    models.UniqueConstraint(fields=("scope", "key"), name="login_throttle_scope_key_unique")
                ],
            },
        ),
    ]
