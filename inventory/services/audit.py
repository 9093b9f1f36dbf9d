"""The ledger check operators see: run the verification and keep what it found."""

from django.utils import timezone

from ..ledger import verify_ledger
from ..models import LedgerCheck


def ledger_check_run() -> LedgerCheck:
    """Recompute every chain and balance and record the result (a ``LedgerCheck`` row).

    Reads only: the verification takes no locks, so it runs beside live traffic. A row
    changed while it runs may show a transient mismatch; the next run tells.
    """
    started_at = timezone.now()
    problems = verify_ledger()
    return LedgerCheck.objects.create(
        started_at=started_at,
        finished_at=timezone.now(),
        mismatch_count=len(problems),
        mismatches=[
            {"stock_id": p.stock_id, "sequence": p.sequence, "problem": str(p.problem)}
            for p in problems[: LedgerCheck.MAX_LISTED]
        ],
    )
