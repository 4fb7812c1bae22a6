"""Add sortable address keys, so free addresses are found by walking a range, and the
last reminder sent for an allocation, so no reminder goes out twice."""

import ipaddress

from django.db import migrations, models


def address_sort_key(address: str) -> str:
    ip = ipaddress.ip_address(address)
    return f"{ip.version}{int(ip):032x}"


def fill_address_keys(apps, schema_editor):
    for model_name in ("AllocatedEndpoint", "ExcludedAddress"):
        model = apps.get_model("provisioning", model_name)
        for row in model.objects.only("pk", "address").iterator():
            model.objects.filter(pk=row.pk).update(address_key=address_sort_key(row.address))


class Migration(migrations.Migration):
    dependencies = [("provisioning", "0002_poolprefix_no_overlap")]

    operations = [
        migrations.AddField(
            model_name="allocation",
            name="last_reminder_days",
            field=models.PositiveSmallIntegerField(
                blank=True,
                editable=False,
                help_text=(
                    "Days before expiry of the last reminder e-mail sent, so none is sent twice."
                ),
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="allocatedendpoint",
            name="address_key",
            field=models.CharField(
                default="",
                editable=False,
                help_text="Sortable form of the address.",
                max_length=33,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="excludedaddress",
            name="address_key",
            field=models.CharField(
                db_index=True,
                default="",
                editable=False,
                help_text="Sortable form of the address.",
                max_length=33,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_address_keys, migrations.RunPython.noop),
        migrations.AlterModelOptions(
            name="allocatedendpoint",
            options={"ordering": ["allocation", "role", "address_key"]},
        ),
        migrations.AddIndex(
            model_name="allocatedendpoint",
            index=models.Index(fields=["address_key"], name="endpoint_address_key_idx"),
        ),
    ]
