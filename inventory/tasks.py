"""Background jobs of the inventory: the ledger reconciliation."""

import logging

from celery import shared_task

from .ledger import verify_ledger

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def ledger_verify_task() -> int:
    """Recompute every chain and balance (``verify_ledger``); log each mismatch; return how many.

    The reconciliation job for the denormalised ``on_hand`` / ``reserved`` counters:
    schedule it in the admin (Periodic tasks), e.g. nightly.
    """
    problems = verify_ledger()
    for problem in problems:
        logger.error("ledger mismatch: %s", problem)
    if not problems:
        logger.info("ledger verified")
    return len(problems)
