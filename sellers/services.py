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
