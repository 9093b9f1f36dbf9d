from django.db import migrations

ROLE_NAMES = ("Operators", "Warehouse staff", "Accountants")


def create_role_groups(apps, schema_editor):
    # Permissions are attached by hub.core.roles.sync_role_permissions after migrate,
    # once every app's permissions exist.
    group_model = apps.get_model("auth", "Group")
    for name in ROLE_NAMES:
        group_model.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
