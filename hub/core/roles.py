"""Staff roles and what each may do in the admin.

A role grants actions per app, so a model added to an app later is covered
by the next ``migrate`` without a new data migration.
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission

OPERATORS = "Operators"
WAREHOUSE_STAFF = "Warehouse staff"
ACCOUNTANTS = "Accountants"

ALL = ("add", "change", "delete", "view")
NO_DELETE = ("add", "change", "view")
VIEW = ("view",)

# role -> {app_label: actions, or {model: actions} for a finer grant}
ROLE_GRANTS: dict[str, dict[str, tuple | dict]] = {
    OPERATORS: {
        "sellers": ALL,
        "inventory": ALL,
        "orders": (*ALL, "operate"),
        "logistics": ALL,
        "returns": ALL,
        "core": ALL,
        "django_celery_beat": ALL,
        "sandbox": ALL,
        "sync": ALL,  # the admin lets operators edit only the lag threshold and retry inbox messages
        "auth": {"user": VIEW},
    },
    WAREHOUSE_STAFF: {
        "inventory": NO_DELETE,
        "orders": ("change", "view"),
        "logistics": NO_DELETE,
        "returns": NO_DELETE,
    },
    ACCOUNTANTS: {
        "sellers": VIEW,
        "orders": VIEW,
        "inventory": VIEW,
    },
}

ROLE_NAMES = tuple(ROLE_GRANTS)


def permissions_for_role(role: str):
    grants = ROLE_GRANTS[role]
    wanted = []
    for app_label, spec in grants.items():
        perms = Permission.objects.filter(content_type__app_label=app_label).select_related("content_type")
        for perm in perms:
            action = perm.codename.split("_", 1)[0]
            model = perm.content_type.model
            allowed = spec.get(model, ()) if isinstance(spec, dict) else spec
            if action in allowed:
                wanted.append(perm)
    return wanted


def _last_app_with_models() -> str:
    return [config.label for config in apps.get_app_configs() if config.models_module][-1]


def sync_role_permissions(sender=None, **kwargs):
    """Make each role's group hold exactly its grants (idempotent)."""
    if sender is not None and sender.label != _last_app_with_models():
        return  # wait until every app's permissions have been created
    for role in ROLE_NAMES:
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(permissions_for_role(role))
