"""Stock rows (the shared pool and sellers' virtual stock), the ledger, reservations and alerts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hub.core.models import TimeStampedModel

from ..enums import MovementKind, ReservationStatus
from .catalogue import Sku, Warehouse


class Stock(models.Model):
    """Units of one SKU in one warehouse, owned by the shared pool or locked for one seller.

    ``seller`` empty: the global pool every seller may draw on. ``seller`` set: that
    seller's virtual stock (units it pre-bought, still in the hub's warehouse). The
    physical count of a SKU in a warehouse is the sum over its rows.

    Quantities change only through ``inventory.services``; each change appends one
    hash-chained ``Movement`` and advances ``ledger_sequence`` / ``ledger_head``, which
    are written under the same row lock (or the same conditional UPDATE) as the balance.
    """

    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="stocks", verbose_name=_("SKU"))
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stocks", verbose_name=_("warehouse")
    )
    seller = models.ForeignKey(
        "sellers.Seller",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="virtual_stocks",
        verbose_name=_("seller (virtual stock)"),
        help_text=_("Empty: the shared pool."),
    )
    on_hand = models.PositiveIntegerField(_("on hand"), default=0)
    reserved = models.PositiveIntegerField(_("reserved"), default=0)
    available = models.GeneratedField(
        expression=models.F("on_hand") - models.F("reserved"),
        output_field=models.IntegerField(),
        db_persist=True,
        verbose_name=_("available"),
    )
    ledger_sequence = models.PositiveBigIntegerField(_("ledger sequence"), default=0)
    ledger_head = models.CharField(_("ledger head hash"), max_length=64, blank=True, default="")
    ledger_prev_head = models.CharField(
        _("previous ledger head"),
        max_length=64,
        blank=True,
        default="",
        help_text=_("The head before the last movement: lets one UPDATE return both ends of the new link."),
    )

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        ordering = ["sku", "warehouse", "seller"]
        constraints = [
            models.CheckConstraint(condition=models.Q(on_hand__gte=0), name="stock_on_hand_non_negative"),
            models.CheckConstraint(condition=models.Q(reserved__gte=0), name="stock_reserved_non_negative"),
            models.CheckConstraint(
                condition=models.Q(reserved__lte=models.F("on_hand")), name="stock_reserved_within_on_hand"
            ),
            models.UniqueConstraint(
                fields=["sku", "warehouse"], condition=models.Q(seller__isnull=True), name="stock_unique_pool_row"
            ),
            models.UniqueConstraint(
                fields=["sku", "warehouse", "seller"],
                condition=models.Q(seller__isnull=False),
                name="stock_unique_virtual_row",
            ),
        ]

    def __str__(self):
        owner = self.seller.code if self.seller_id else _("pool")
        return f"{self.sku.code} @ {self.warehouse.code} ({owner})"

    @property
    def is_virtual(self) -> bool:
        return self.seller_id is not None


class VirtualStockManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(seller__isnull=False)


class PoolStockManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(seller__isnull=True)


class PoolStock(Stock):
    """The shared pool rows, for the admin."""

    objects = PoolStockManager()

    class Meta:
        proxy = True
        verbose_name = _("pool stock")
        verbose_name_plural = _("pool stock")


class VirtualStock(Stock):
    """Sellers' virtual stock rows, for the admin."""

    objects = VirtualStockManager()

    class Meta:
        proxy = True
        verbose_name = _("virtual stock")
        verbose_name_plural = _("virtual stock")


class Movement(models.Model):
    """One immutable change to one stock row, chained to the previous one by hash.

    ``hash = sha256(canonical(prev_hash, stock, sequence, kind, deltas, balances, actor,
    reason, reference, created_at))``; see ``inventory.ledger``.
    """

    # no index of its own: the unique (stock, sequence) index serves every lookup by stock
    stock = models.ForeignKey(
        Stock, on_delete=models.PROTECT, related_name="movements", verbose_name=_("stock"), db_index=False
    )
    sequence = models.PositiveBigIntegerField(_("sequence"))
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    on_hand_delta = models.IntegerField(_("on hand change"))
    reserved_delta = models.IntegerField(_("reserved change"))
    on_hand_after = models.PositiveIntegerField(_("on hand after"))
    reserved_after = models.PositiveIntegerField(_("reserved after"))
    # indexed only where set (below): most movements have no actor, and the hot path skips the index
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        db_index=False,
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    reference = models.CharField(_("reference"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("at"))
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["stock", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["stock", "sequence"], name="movement_unique_sequence"),
            models.CheckConstraint(condition=models.Q(sequence__gte=1), name="movement_sequence_positive"),
        ]
        indexes = [
            models.Index(fields=["created_at"], name="movement_created_at"),
            models.Index(fields=["actor"], condition=models.Q(actor__isnull=False), name="movement_actor"),
        ]

    def __str__(self):
        return f"{self.stock_id}#{self.sequence} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Ledger movements are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ledger movements are immutable.")


class Reservation(TimeStampedModel):
    """Units held for one order line, keyed by the caller's stable ``line_key``.

    ``quantity`` is what the line still wants (a partial release lowers it);
    ``quantity_reserved`` is how many of them hold stock; the rest are backordered.
    For a kit both count kits; the allocations hold component units.
    """

    # unique by the constraint below: a plain unique=True adds a second (LIKE) index to every insert
    line_key = models.CharField(_("order line key"), max_length=128)
    seller = models.ForeignKey(
        "sellers.Seller", on_delete=models.PROTECT, related_name="reservations", verbose_name=_("seller")
    )
    # indexed by (sku, status) below
    sku = models.ForeignKey(
        Sku, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("SKU"), db_index=False
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    quantity_reserved = models.PositiveIntegerField(_("quantity reserved"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=ReservationStatus.choices, default=ReservationStatus.RESERVED
    )
    shortage_policy = models.CharField(_("shortage policy"), max_length=16)
    reference = models.CharField(_("reference"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity_reserved__lte=models.F("quantity")),
                name="reservation_reserved_within_quantity",
            ),
            models.UniqueConstraint(fields=["line_key"], name="reservation_unique_line_key"),
        ]
        indexes = [models.Index(fields=["sku", "status"], name="reservation_sku_status")]

    def __str__(self):
        return self.line_key

    @property
    def quantity_backordered(self) -> int:
        return self.quantity - self.quantity_reserved


class ReservationAllocation(models.Model):
    """Which stock row holds how many (component) units of a reservation."""

    # indexed by the unique (reservation, stock) below
    reservation = models.ForeignKey(
        Reservation,
        on_delete=models.CASCADE,
        related_name="allocations",
        verbose_name=_("reservation"),
        db_index=False,
    )
    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("stock"))
    quantity = models.PositiveIntegerField(_("quantity"))
    reason = models.CharField(
        _("why this stock"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=_("For example: nearest pool warehouse to US: LA-RETURNS 0 km."),
    )

    class Meta:
        verbose_name = _("reservation allocation")
        verbose_name_plural = _("reservation allocations")
        constraints = [models.UniqueConstraint(fields=["reservation", "stock"], name="allocation_unique_stock")]

    def __str__(self):
        return f"{self.quantity} from {self.stock_id}"


class LowStockAlert(models.Model):
    """Raised once when a SKU's available units (pool and virtual, all warehouses) fall below safety stock."""

    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="low_stock_alerts", verbose_name=_("SKU"))
    available = models.IntegerField(_("available when raised"))
    safety_stock = models.PositiveIntegerField(_("safety stock"))
    raised_at = models.DateTimeField(_("raised at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("low-stock alert")
        verbose_name_plural = _("low-stock alerts")
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["sku"], condition=models.Q(resolved_at__isnull=True), name="alert_one_open_per_sku"
            )
        ]

    def __str__(self):
        return f"{self.sku} < {self.safety_stock}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
