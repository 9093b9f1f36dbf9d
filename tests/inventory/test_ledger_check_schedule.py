"""The nightly ledger check: its beat entry, and the record operators see in the admin."""

import pytest
from django.db import connection
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from inventory.models import LedgerCheck, Stock
from inventory.services import OrderLine, order_lines_reserve
from inventory.services.audit import ledger_check_run
from inventory.tasks import LEDGER_CHECK_TASK_NAME, ledger_verify_task
from tests.factories import stocked


def test_the_migrations_schedule_the_ledger_check_nightly(db):
    task = PeriodicTask.objects.get(name=LEDGER_CHECK_TASK_NAME)

    assert task.task == "inventory.tasks.ledger_verify_task"
    assert task.enabled
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == ("0", "3", "UTC")
    assert task.interval is None


def test_scheduling_again_keeps_one_entry_and_the_operators_edits(db):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("inventory.migrations.0005_ledger_indexes")
    task = PeriodicTask.objects.get(name=LEDGER_CHECK_TASK_NAME)
    task.crontab.hour = "1"
    task.crontab.save()
    task.enabled = False
    task.save()

    migration.ledger_check_schedule(apps, None)

    task = PeriodicTask.objects.get(task="inventory.tasks.ledger_verify_task")
    assert (task.enabled, task.crontab.hour) == (False, "1")


@pytest.fixture
def booked(sku, central, seller):
    stocked(sku, central, 10)
    order_lines_reserve(seller=seller, lines=[OrderLine("check-1", sku.pk, 4)])
    return Stock.objects.get(sku=sku, seller=None)


def test_a_clean_ledger_is_recorded_as_a_clean_check(booked):
    check = ledger_check_run()

    assert (check.mismatch_count, check.mismatches, check.is_clean) == (0, [], True)
    assert check.started_at <= check.finished_at


def test_the_task_records_each_mismatch_where_operators_see_it(booked, admin_client):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_stock SET on_hand = on_hand + 5 WHERE id = %s", [booked.pk])

    assert ledger_verify_task() == 1

    check = LedgerCheck.objects.get()
    assert check.mismatches == [
        {
            "stock_id": booked.pk,
            "sequence": None,
            "problem": "balance on hand 15 / reserved 4 differs from the ledger's 10 / 4",
        }
    ]
    listing = admin_client.get(reverse("admin:inventory_ledgercheck_changelist") + "?result=mismatches")
    assert listing.status_code == 200
    assert list(listing.context["cl"].queryset) == [check]
    page = admin_client.get(reverse("admin:inventory_ledgercheck_change", args=[check.pk]))
    assert f"stock {booked.pk}, movement #-: balance on hand 15 / reserved 4" in page.content.decode()
