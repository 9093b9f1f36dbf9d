"""Writes to sellers and their marketplace accounts."""

from django.db import transaction

from .models import MarketplaceAccount


class AccountCredentialStore:
    """Tokens of one marketplace account, kept encrypted in its row.

    ``refresh`` is safe when several workers find the token expired at once: each locks
    the account row, and only the first to get the lock calls the platform; the others
    see the fresh token (``refresher`` returns None when the current one is still good).
    """

    def __init__(self, account_id: int):
        self.account_id = account_id

    def load(self) -> dict:
        return MarketplaceAccount.objects.only("credentials").get(pk=self.account_id).credentials

    def refresh(self, refresher) -> dict:
        with transaction.atomic():
            account = MarketplaceAccount.objects.select_for_update().only("credentials").get(pk=self.account_id)
            current = account.credentials
            fresh = refresher(current)
            if fresh is None:
                return current
            account.credentials = {**current, **fresh}
            account.save(update_fields=["credentials", "updated_at"])
            return account.credentials


def account_credentials_set(account: MarketplaceAccount, credentials: dict) -> None:
    """Replace an account's stored credentials (encrypted at rest)."""
    account.credentials = credentials
    account.save(update_fields=["credentials", "updated_at"])


def account_connect(
    *,
    seller,
    platform: str,
    shop_id: str,
    name: str,
    region: str = "",
    base_url: str = "",
    credentials: dict,
    settings: dict | None = None,
) -> MarketplaceAccount:
    """Connect (or re-connect) a seller's shop: store it with encrypted credentials and schedule its sync."""
    from hub.sync.schedules import account_schedules_ensure

    with transaction.atomic():
        account, created = MarketplaceAccount.objects.get_or_create(
            platform=platform,
            shop_id=shop_id,
            region=region,
            defaults={"seller": seller, "name": name, "base_url": base_url, "settings": settings or {}},
        )
        if not created and account.seller_id != seller.pk:
            raise ValueError(f"{platform} shop {shop_id} is connected to another seller")
        if created or not account.credentials:
            account.credentials = credentials
            account.save(update_fields=["credentials", "updated_at"])
        account_schedules_ensure(account)
        return account
