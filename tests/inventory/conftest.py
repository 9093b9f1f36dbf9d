import pytest

from tests.factories import SellerFactory, SkuFactory, WarehouseFactory


@pytest.fixture
def sku(db):
    return SkuFactory(code="MUG-BLK")


@pytest.fixture
def central(db):
    return WarehouseFactory(code="central")


@pytest.fixture
def regional(db):
    return WarehouseFactory(code="regional", kind="cloud", country="US")


@pytest.fixture
def seller(db):
    return SellerFactory(code="alpha")
