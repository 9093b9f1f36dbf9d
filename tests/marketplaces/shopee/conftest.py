import pytest

from hub.marketplaces.sandbox import shopee as sandbox

from .world import world_factory


@pytest.fixture(autouse=True)
def _sandbox_urls(settings):
    settings.ROOT_URLCONF = "tests.marketplaces.shopee.urls"


@pytest.fixture
def shopee(live_server):
    """A factory of sandbox Shopee shops, each connected to a hub account that talks to it over HTTP."""
    make = world_factory("shopee", sandbox, live_server)

    def make_shop(region="SG", settings=None, **provision):
        return make(region=region, settings=settings, **provision)

    return make_shop
