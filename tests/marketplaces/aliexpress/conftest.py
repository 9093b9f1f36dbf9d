import pytest

from hub.marketplaces.sandbox import aliexpress as sandbox
from tests.marketplaces.shopee.world import world_factory


@pytest.fixture(autouse=True)
def _sandbox_urls(settings):
    settings.ROOT_URLCONF = "tests.marketplaces.shopee.urls"  # only the Shopee and AliExpress sandboxes


@pytest.fixture
def aliexpress(live_server):
    """A factory of sandbox AliExpress sellers, each connected to a hub account that talks to it over HTTP."""
    return world_factory("aliexpress", sandbox, live_server)
