import pytest

from tests.marketplaces.amazon.support import adapter_of, connect_sandbox_account  # noqa: F401 - a fixture


@pytest.fixture
def ebay_base_url(live_server):
    return live_server.url + "/sandbox/ebay"


@pytest.fixture
def make_ebay_account(ebay_base_url):
    def make(*, region="EBAY_US", **options):
        return connect_sandbox_account("ebay", ebay_base_url, region=region, **options)

    return make
