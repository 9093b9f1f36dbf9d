from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .demo import DEMO_PASSWORD
from .roles import ACCOUNTANTS, OPERATORS, WAREHOUSE_STAFF

STAFF_USERS = [
    # username, first name, role group (None for the superuser)
    ("admin", "Admin", None),
    ("operator", "Olivia", OPERATORS),
    ("warehouse", "Wang Wei", WAREHOUSE_STAFF),
    ("accountant", "Li Na", ACCOUNTANTS),
]


def ensure_user(username: str, *, first_name: str = "", is_staff: bool = False, is_superuser: bool = False):
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "email": f"{username}@example.com",
            "is_staff": is_staff,
            "is_superuser": is_superuser,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def build():
    for username, first_name, role in STAFF_USERS:
        user = ensure_user(username, first_name=first_name, is_staff=True, is_superuser=role is None)
        if role:
            user.groups.set([Group.objects.get(name=role)])
    return f"{len(STAFF_USERS)} staff users"
