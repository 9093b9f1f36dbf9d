"""What operators see of the nightly ledger check."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerCheck(models.Model):
    """One run of the ledger verification (``inventory.ledger.verify_ledger``) and what it found."""

    MAX_LISTED = 500  # mismatches kept on the record; the count is always exact

    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    mismatch_count = models.PositiveIntegerField(_("mismatches"))
    mismatches = models.JSONField(
        _("first mismatches"),
        default=list,
        blank=True,
        help_text=_("Up to 500, each with the stock row, the movement sequence (if any) and the problem."),
    )

    class Meta:
        verbose_name = _("ledger check")
        verbose_name_plural = _("ledger checks")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} UTC: {self.mismatch_count}"

    @property
    def is_clean(self) -> bool:
        return self.mismatch_count == 0
