"""Reconciliation: read back what each listing shows and correct any that drifted."""

from django.db import transaction
from django.utils import timezone

from hub.marketplaces import adapter_for_account
from inventory.allocation import advertised_quantities
from sellers.models import Listing, MarketplaceAccount

from . import health
from .dispatcher import listing_ref
from .outbox import listing_claims, push_priority, push_retarget, pushes_locked, pushes_save


def account_reconcile(account_id: int) -> int:
    """Compare shown and advertised quantities of the account's settled listings; re-push the ones that differ.

    Listings with a push still pending are skipped: they differ because the hub has not
    finished telling the platform yet, not because the platform drifted.
    """
    account = MarketplaceAccount.objects.get(pk=account_id)
    listings = list(Listing.objects.filter(account=account, is_active=True).order_by("id"))
    if not listings:
        return 0
    adapter = adapter_for_account(account)
    try:
        shown = adapter.read_quantities([listing_ref(listing) for listing in listings])
    finally:
        adapter.close()
    now = timezone.now()
    with transaction.atomic():
        pushes = pushes_locked(listings)
        # What a settled listing shows is now known for sure: the split below the threshold starts from it.
        claims = listing_claims(pushes.values())
        claims.update(
            (listing.pk, shown[listing.seller_sku])
            for listing in listings
            if not pushes[listing.pk].is_pending and listing.seller_sku in shown
        )
        targets = advertised_quantities(listings, claims=claims)
        retargeted = []
        for listing in listings:
            push = pushes[listing.pk]
            if push.is_pending or listing.seller_sku not in shown:
                continue
            if shown[listing.seller_sku] == targets[listing.pk]:
                continue
            priority = push_priority(shown[listing.seller_sku], targets[listing.pk])
            retargeted.append(push_retarget(push, targets[listing.pk], priority=priority, changed_at=now))
        pushes_save(retargeted)
        corrected = len(retargeted)
    health.drift(account.pk, corrected)
    return corrected
