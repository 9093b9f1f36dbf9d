import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from inventory.models import Sku, Warehouse
from sellers.models import Seller, SellerMember


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = (Seller.objects.count(), Sku.objects.count(), Warehouse.objects.count(), SellerMember.objects.count())

    call_command("seed_demo")

    assert counts == (3, 50, 2, 4)
    assert (Seller.objects.count(), Sku.objects.count(), Warehouse.objects.count()) == counts[:3]
    assert SellerMember.objects.count() == counts[3]


@pytest.mark.django_db
def test_demo_skus_have_valid_ean13_barcodes():
    call_command("seed_demo")

    for barcode in Sku.objects.values_list("barcode", flat=True):
        digits = [int(d) for d in barcode]
        assert len(digits) == 13
        assert sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0


@pytest.mark.django_db
def test_seller_portal_shows_own_seller_and_refuses_users_without_one(client):
    call_command("seed_demo")
    owner = get_user_model().objects.get(username="harbor.owner")
    stranger = get_user_model().objects.create_user(username="nobody", password="pw")

    client.force_login(owner)
    response = client.get("/portal/")
    assert response.status_code == 200
    assert "Harbor Trading" in response.text
    assert "Lotus" not in response.text

    client.force_login(stranger)
    assert client.get("/portal/").status_code == 403


@pytest.mark.django_db
def test_home_sends_staff_to_admin_and_sellers_to_portal(client):
    call_command("seed_demo")
    client.force_login(get_user_model().objects.get(username="operator"))
    assert client.get("/")["Location"] == "/admin/"
    client.force_login(get_user_model().objects.get(username="lotus.owner"))
    assert client.get("/")["Location"] == "/portal/"
