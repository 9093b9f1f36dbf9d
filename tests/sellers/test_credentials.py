import threading

import pytest
from django.db import connection

from sellers.models import MarketplaceAccount, Seller
from sellers.services import AccountCredentialStore


@pytest.fixture
def account(db):
    seller = Seller.objects.create(code="acme", name="Acme", country="US")
    return MarketplaceAccount.objects.create(
        seller=seller, platform="shopify", name="Acme Shopify", shop_id="acme", credentials={"access_token": "s3cr3t"}
    )


def test_credentials_are_encrypted_at_rest(account):
    with connection.cursor() as cursor:
        cursor.execute("SELECT credentials FROM sellers_marketplaceaccount WHERE id = %s", [account.pk])
        stored = cursor.fetchone()[0]

    assert "s3cr3t" not in stored
    assert MarketplaceAccount.objects.get(pk=account.pk).credentials == {"access_token": "s3cr3t"}


def test_credentials_never_appear_in_repr_or_admin(client, account, operator_user):
    client.force_login(operator_user)

    page = client.get(f"/admin/sellers/marketplaceaccount/{account.pk}/change/").text

    assert "s3cr3t" not in page
    assert "s3cr3t" not in repr(account)


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_call_the_platform_once():
    seller = Seller.objects.create(code="acme", name="Acme", country="US")
    account = MarketplaceAccount.objects.create(
        seller=seller, platform="shopify", name="A", shop_id="acme", credentials={"access_token": "old", "gen": 0}
    )
    platform_calls = []
    barrier = threading.Barrier(4)

    def refresher(current):
        if current["gen"] > 0:
            return None  # another worker already refreshed
        platform_calls.append(1)
        return {"access_token": "new", "gen": current["gen"] + 1}

    results = []

    def worker():
        barrier.wait()
        try:
            results.append(AccountCredentialStore(account.pk).refresh(refresher))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(platform_calls) == 1
    assert [r["access_token"] for r in results] == ["new"] * 4
