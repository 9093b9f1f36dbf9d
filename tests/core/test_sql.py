"""One UPDATE for many rows, each with values of its own (hub.core.sql)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from hub.core.sql import values_update


@pytest.mark.django_db
def test_each_row_takes_its_own_values_and_only_rows_meeting_the_condition_change():
    first, second, third = (User.objects.create(username=name, first_name="-") for name in ("ann", "bob", "cy"))
    seen = timezone.now() - timedelta(hours=1)

    values_update(
        User,
        ("id", "name"),
        [(first.pk, "Ann"), (second.pk, "Bob")],
        "first_name = v.name, last_login = %s",
        condition="t.username <> %s",
        params=(seen, "bob"),
    )

    rows = {
        user.username: (user.first_name, user.last_login)
        for user in User.objects.filter(pk__in=[first.pk, second.pk, third.pk])
    }
    assert rows == {"ann": ("Ann", seen), "bob": ("-", None), "cy": ("-", None)}


@pytest.mark.django_db
def test_no_rows_is_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        values_update(User, ("id", "name"), [], "first_name = v.name")
