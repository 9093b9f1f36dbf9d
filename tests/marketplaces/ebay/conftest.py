import pytest

from tests.marketplaces.support import connect_sandbox_account


@pytest.fixture
def ebay_base_url(live_server):
    return live_server.url + "/sandbox/ebay"


@pytest.fixture
def make_ebay_account(ebay_base_url):
    def make(*, region="EBAY_US", **options):
        return connect_sandbox_account("ebay", ebay_base_url, region=region, **options)

    return make
