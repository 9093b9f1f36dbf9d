"""Each staff role sees exactly its sections of the admin."""

import pytest
from django.contrib.auth import get_user_model

EXPECTED_SECTIONS = {
    "operator_user": {"sellers", "inventory", "orders", "logistics", "sync", "django_celery_beat", "sandbox", "auth"},
    "warehouse_user": {"inventory", "orders", "logistics"},
    "accountant_user": {"sellers", "inventory", "orders"},
}


def admin_sections(client, user):
    login = client.post("/admin/login/?next=/admin/", {"username": user.username, "password": "pw"})
    assert login.status_code == 302, "the role could not log into the admin"
    response = client.get("/admin/")
    assert response.status_code == 200
    return {app["app_label"] for app in response.context["app_list"]}


@pytest.mark.django_db
@pytest.mark.parametrize("role_fixture", sorted(EXPECTED_SECTIONS))
def test_role_sees_exactly_its_admin_sections(client, request, role_fixture):
    user = request.getfixturevalue(role_fixture)

    sections = admin_sections(client, user)

    # apps without registered models yet (logistics, returns) show nothing
    assert sections == EXPECTED_SECTIONS[role_fixture]


@pytest.mark.django_db
def test_accountant_may_view_but_not_change_sellers(client, accountant_user):
    client.force_login(accountant_user)

    assert client.get("/admin/sellers/seller/").status_code == 200
    assert client.get("/admin/sellers/seller/add/").status_code == 403


@pytest.mark.django_db
def test_warehouse_staff_cannot_open_sellers_or_schedules(client, warehouse_user):
    client.force_login(warehouse_user)

    assert client.get("/admin/sellers/seller/").status_code == 403
    assert client.get("/admin/django_celery_beat/periodictask/").status_code == 403


@pytest.mark.django_db
def test_seller_user_is_kept_out_of_the_admin(client):
    seller_user = get_user_model().objects.create_user(username="s", password="pw")
    client.force_login(seller_user)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
