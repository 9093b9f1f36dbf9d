import pytest

from tests.marketplaces.support import connect_sandbox_account


@pytest.fixture
def amazon_base_url(live_server):
    return live_server.url + "/sandbox/amazon"


@pytest.fixture
def make_amazon_account(amazon_base_url):
    def make(*, region="ATVPDKIKX0DER", usage_plans=None, **options):
        shop_data = {"usage_plans": usage_plans} if usage_plans else None
        return connect_sandbox_account("amazon", amazon_base_url, region=region, shop_data=shop_data, **options)

    return make
