"""Background jobs of the inventory: the ledger reconciliation."""

import logging

from celery import shared_task

from .services.audit import ledger_check_run

logger = logging.getLogger(__name__)

LEDGER_CHECK_TASK_NAME = "inventory: verify the ledger (nightly)"


@shared_task(ignore_result=True)
def ledger_verify_task() -> int:
    """Recompute every chain and balance, record a ``LedgerCheck`` (shown in the admin); return the mismatches.

    The reconciliation job for the denormalised ``on_hand`` / ``reserved`` counters. Its
    beat entry (``LEDGER_CHECK_TASK_NAME``, nightly at 03:00 UTC) is created by the
    migrations; operators change or disable it in the admin (Periodic tasks).
    """
    check = ledger_check_run()
    for problem in check.mismatches:
        where = f"stock {problem['stock_id']}" + (f" movement #{problem['sequence']}" if problem["sequence"] else "")
        logger.error("ledger mismatch: %s: %s", where, problem["problem"])
    if check.is_clean:
        logger.info("ledger verified")
    return check.mismatch_count
