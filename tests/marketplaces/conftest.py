import pytest

from hub.marketplaces import adapter_for_account
from sellers.models import MarketplaceAccount


@pytest.fixture
def adapter_of():
    """Builds adapters for stored accounts, as the sync engine does, and closes them afterwards."""
    adapters = []

    def build(account):
        adapter = adapter_for_account(MarketplaceAccount.objects.get(pk=account.pk))
        adapters.append(adapter)
        return adapter

    yield build
    for adapter in adapters:
        adapter.close()
