"""The orders admin: every role can find and read orders; only operators act, through the services."""

from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hub.marketplaces.types import OrderStatus
from inventory.models import Reservation, Stock
from orders.enums import HoldReason, OrderState
from orders.models import Order, OrderEvent
from orders.services import order_ingest
from tests.factories import ListingFactory, SellerFactory, SkuFactory, WarehouseFactory, stocked

from .support import ADDRESS, canonical_order

CHANGELIST = "/admin/orders/order/"


@pytest.fixture
def shop(db):
    """Seller "acme" with one Shopify account listing MUG (5 units in the pool) as ACME-MUG."""
    seller = SellerFactory(code="acme", name="Acme")
    sku = SkuFactory(code="MUG")
    stocked(sku, WarehouseFactory(), 5)
    listing = ListingFactory(account__seller=seller, sku=sku, seller_sku="ACME-MUG")
    return listing


def ingest(listing, external_id, lines=(("ACME-MUG", 1),), *, buyer="Jürgen Müller", status=OrderStatus.PAID):
    canonical = canonical_order(external_id, lines, ship_to=replace(ADDRESS, name=buyer), status=status)
    return order_ingest(account=listing.account, canonical=canonical, raw={"id": external_id}).order


def action(client, name, orders, **extra):
    data = {"action": name, "_selected_action": [order.pk for order in orders], **extra}
    return client.post(CHANGELIST, data, follow=True)


def reported(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in response.context["messages"]]


def snapshot(order):
    order = Order.objects.get(pk=order.pk)
    return (order.state, order.hold_reason, order.hold_note, order.events.count())


def reserved_units() -> int:
    return sum(Stock.objects.values_list("reserved", flat=True))


def listed(response) -> list[str]:
    return sorted(order.external_id for order in response.context["cl"].result_list)


def test_operator_sees_orders_with_their_columns(client, operator_user, shop):
    # given
    ingest(shop, "1001")
    client.force_login(operator_user)

    # when
    response = client.get(CHANGELIST)

    # then
    assert response.status_code == 200
    assert listed(response) == ["1001"]
    body = response.content.decode()
    assert "19.900 EUR" in body
    assert "Allocated" in body
    assert response.context["cl"].list_display == [
        "action_checkbox",
        "platform",
        "account",
        "seller",
        "external_id",
        "state",
        "hold_reason",
        "total_with_currency",
        "placed_at",
    ]


def test_search_finds_orders_by_external_id_buyer_seller_sku_and_sku_code(client, operator_user, shop):
    # given
    other_sku = SkuFactory(code="PLATE")
    stocked(other_sku, WarehouseFactory(), 5)
    ListingFactory(account=shop.account, sku=other_sku, seller_sku="ACME-PLATE")
    ingest(shop, "1001", buyer="Ada Lovelace")
    ingest(shop, "2002", (("ACME-PLATE", 1), ("ACME-MUG", 1)), buyer="Grace Hopper")
    ingest(shop, "3003", (("UNMAPPED-BOWL", 1),), buyer="Alan Turing")
    client.force_login(operator_user)

    # when / then
    assert listed(client.get(CHANGELIST, {"q": "2002"})) == ["2002"]
    assert listed(client.get(CHANGELIST, {"q": "lovelace"})) == ["1001"]
    assert listed(client.get(CHANGELIST, {"q": "ACME-PLATE"})) == ["2002"]
    assert listed(client.get(CHANGELIST, {"q": "MUG"})) == ["1001", "2002"]
    assert listed(client.get(CHANGELIST, {"q": "UNMAPPED-BOWL"})) == ["3003"]


def test_filters_by_state_hold_reason_seller_platform_and_date(client, operator_user, shop):
    # given
    other = ListingFactory(account__seller=SellerFactory(code="zeta"), account__platform="ebay", sku=shop.sku)
    ingest(shop, "1001")
    ingest(shop, "3003", (("UNMAPPED-BOWL", 1),))
    ingest(other, "4004", ((other.seller_sku, 1),))
    client.force_login(operator_user)

    # when / then
    assert listed(client.get(CHANGELIST, {"state": OrderState.ON_HOLD})) == ["3003"]
    assert listed(client.get(CHANGELIST, {"hold_reason": HoldReason.UNKNOWN_SKU})) == ["3003"]
    assert listed(client.get(CHANGELIST, {"seller__id__exact": other.account.seller_id})) == ["4004"]
    assert listed(client.get(CHANGELIST, {"platform": "ebay"})) == ["4004"]
    assert listed(client.get(CHANGELIST, {"placed_at__year": 2026, "placed_at__month": 11})) == [
        "1001",
        "3003",
        "4004",
    ]
    assert listed(client.get(CHANGELIST, {"placed_at__year": 2025})) == []


def test_order_page_is_read_only_and_shows_lines_and_history(client, operator_user, shop):
    # given
    order = ingest(shop, "1001", (("ACME-MUG", 2),))
    client.force_login(operator_user)

    # when
    page = client.get(f"{CHANGELIST}{order.pk}/change/")
    edit = client.post(f"{CHANGELIST}{order.pk}/change/", {"state": OrderState.CANCELLED, "total": "0"})

    # then
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="state"' not in body
    assert 'name="total"' not in body
    assert "ACME-MUG" in body
    assert "Received from the marketplace." in body
    assert edit.status_code == 403
    assert Order.objects.get(pk=order.pk).state == OrderState.ALLOCATED
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{order.pk}/delete/").status_code == 403


def test_release_hold_reports_each_order_and_changes_nothing_for_refused_ones(client, operator_user, shop):
    # given: one held order whose SKU is now mapped, one still unmapped, one not on hold
    mapped_later = ingest(shop, "3003", (("ACME-BOWL", 2),))
    still_unmapped = ingest(shop, "5005", (("NOBODY-KNOWS", 1),))
    allocated = ingest(shop, "1001")
    ListingFactory(account=shop.account, sku=shop.sku, seller_sku="ACME-BOWL")
    before_unmapped, before_allocated = snapshot(still_unmapped), snapshot(allocated)
    client.force_login(operator_user)

    # when
    response = action(client, "release_hold", [mapped_later, still_unmapped, allocated])

    # then
    assert reported(response) == [
        ("success", "Shopify 3003: hold released, now Allocated."),
        ("error", "Shopify 5005: Map NOBODY-KNOWS to a listing of this account before releasing the hold."),
        ("error", "Shopify 1001: Order 1001 is not on hold."),
    ]
    assert Order.objects.get(pk=mapped_later.pk).state == OrderState.ALLOCATED
    assert mapped_later.events.filter(actor=operator_user, note="Hold released.").count() == 1
    assert snapshot(still_unmapped) == before_unmapped
    assert snapshot(allocated) == before_allocated
    assert reserved_units() == 3


def test_place_hold_asks_for_a_reason_before_changing_anything(client, operator_user, shop):
    # given
    order = ingest(shop, "1001")
    before = snapshot(order)
    client.force_login(operator_user)

    # when: the action is chosen, then submitted without a reason
    form_page = action(client, "place_hold", [order])
    blank = action(client, "place_hold", [order], apply="1", note="   ")

    # then
    assert form_page.templates[0].name == "admin/orders/order/reason_form.html"
    assert 'name="note"' in form_page.content.decode()
    assert blank.context["form"].errors == {"note": ["Say why."]}
    assert snapshot(order) == before


def test_place_hold_with_a_reason_holds_each_open_order_and_refuses_closed_ones(client, operator_user, shop):
    # given
    order = ingest(shop, "1001")
    cancelled = ingest(shop, "6006", status=OrderStatus.CANCELLED)
    before_cancelled = snapshot(cancelled)
    client.force_login(operator_user)

    # when
    response = action(client, "place_hold", [order, cancelled], apply="1", note="address looks wrong")

    # then
    assert reported(response) == [
        ("success", "Shopify 1001: placed on hold."),
        ("error", "Shopify 6006: Order 6006 is Cancelled and cannot become On hold."),
    ]
    order = Order.objects.get(pk=order.pk)
    assert (order.state, order.hold_reason, order.hold_note) == (
        OrderState.ON_HOLD,
        HoldReason.MANUAL,
        "address looks wrong",
    )
    assert order.events.last().note == "Held by an operator: address looks wrong"
    assert reserved_units() == 1  # held stock stays reserved
    assert snapshot(cancelled) == before_cancelled


def test_cancel_with_a_reason_releases_stock_and_refuses_closed_orders(client, operator_user, shop):
    # given
    order = ingest(shop, "1001", (("ACME-MUG", 2),))
    cancelled = ingest(shop, "6006", status=OrderStatus.CANCELLED)
    before_cancelled = snapshot(cancelled)
    assert reserved_units() == 2
    client.force_login(operator_user)

    # when
    response = action(client, "cancel", [order, cancelled], apply="1", note="buyer asked by e-mail")

    # then
    assert reported(response) == [
        ("success", "Shopify 1001: cancelled, its stock released."),
        ("error", "Shopify 6006: Order 6006 is Cancelled and cannot be cancelled."),
    ]
    assert Order.objects.get(pk=order.pk).state == OrderState.CANCELLED
    event = OrderEvent.objects.filter(order=order).last()
    assert (event.to_state, event.note, event.actor) == (OrderState.CANCELLED, "buyer asked by e-mail", operator_user)
    assert reserved_units() == 0
    assert Reservation.objects.get(line_key=order.lines.get().reservation_key).status == "released"
    assert snapshot(cancelled) == before_cancelled


@pytest.mark.parametrize("role_fixture", ["warehouse_user", "accountant_user"])
def test_warehouse_staff_and_accountants_view_orders_but_cannot_act(client, request, role_fixture, shop):
    # given
    user = request.getfixturevalue(role_fixture)
    order = ingest(shop, "1001")
    held = ingest(shop, "3003", (("ACME-BOWL", 1),))
    ListingFactory(account=shop.account, sku=shop.sku, seller_sku="ACME-BOWL")
    before, before_held = snapshot(order), snapshot(held)
    client.force_login(user)

    # when
    changelist = client.get(CHANGELIST)
    page = client.get(f"{CHANGELIST}{order.pk}/change/")
    cancel = action(client, "cancel", [order], apply="1", note="not allowed")
    release = action(client, "release_hold", [held])

    # then
    assert changelist.status_code == 200
    assert listed(changelist) == ["1001", "3003"]
    assert changelist.context["action_form"] is None  # no action is offered
    assert page.status_code == 200
    assert (cancel.status_code, reported(cancel)) == (200, [])
    assert (release.status_code, reported(release)) == (200, [])
    assert snapshot(order) == before
    assert snapshot(held) == before_held
    assert reserved_units() == 1


def test_order_list_takes_as_many_queries_for_twenty_orders_as_for_two(client, operator_user, shop):
    # given
    client.force_login(operator_user)

    def queries_for(first: int, count: int) -> int:
        for number in range(first, first + count):
            ingest(shop, str(number), (("UNMAPPED", 1),))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CHANGELIST).status_code == 200
        return len(captured)

    # when
    few = queries_for(1, 2)
    many = queries_for(100, 18)

    # then
    assert many == few


def operate_url(order, name: str) -> str:
    return f"{CHANGELIST}{order.pk}/operate/{name}/"


def test_order_page_offers_the_operations_its_state_allows(client, operator_user, shop):
    # given
    allocated = ingest(shop, "1001")
    held = ingest(shop, "3003", (("UNMAPPED-BOWL", 1),))
    cancelled = ingest(shop, "6006", status=OrderStatus.CANCELLED)
    client.force_login(operator_user)

    def offered(order):
        response = client.get(f"{CHANGELIST}{order.pk}/change/")
        return [name for name, _label, _method in response.context["operations"]]

    # when / then
    assert offered(allocated) == ["place_hold", "cancel"]
    assert offered(held) == ["release_hold", "cancel"]
    assert offered(cancelled) == []
    assert (
        f'href="{operate_url(allocated, "cancel")}"'
        in client.get(f"{CHANGELIST}{allocated.pk}/change/").content.decode()
    )


def test_cancel_from_the_order_page_asks_a_reason_then_cancels_and_returns_to_the_order(client, operator_user, shop):
    # given
    order = ingest(shop, "1001", (("ACME-MUG", 2),))
    client.force_login(operator_user)

    # when
    form_page = client.get(operate_url(order, "cancel"))
    done = client.post(operate_url(order, "cancel"), {"apply": "1", "note": "fraud check failed"})

    # then
    assert form_page.status_code == 200
    assert form_page.templates[0].name == "admin/orders/order/reason_form.html"
    assert done.status_code == 302
    assert done["Location"] == f"{CHANGELIST}{order.pk}/change/"
    assert Order.objects.get(pk=order.pk).state == OrderState.CANCELLED
    assert reserved_units() == 0


def test_release_hold_from_the_order_page_needs_a_post(client, operator_user, shop):
    # given
    held = ingest(shop, "3003", (("ACME-BOWL", 1),))
    ListingFactory(account=shop.account, sku=shop.sku, seller_sku="ACME-BOWL")
    client.force_login(operator_user)

    # when
    by_get = client.get(operate_url(held, "release_hold"))
    state_after_get = Order.objects.get(pk=held.pk).state
    by_post = client.post(operate_url(held, "release_hold"), follow=True)

    # then
    assert by_get.status_code == 403
    assert state_after_get == OrderState.ON_HOLD
    assert reported(by_post) == [("success", "Shopify 3003: hold released, now Allocated.")]
    assert Order.objects.get(pk=held.pk).state == OrderState.ALLOCATED


@pytest.mark.parametrize("role_fixture", ["warehouse_user", "accountant_user"])
def test_other_roles_cannot_operate_from_the_order_page(client, request, role_fixture, shop):
    # given
    order = ingest(shop, "1001")
    before = snapshot(order)
    client.force_login(request.getfixturevalue(role_fixture))

    # when
    page = client.get(f"{CHANGELIST}{order.pk}/change/")
    cancel = client.post(operate_url(order, "cancel"), {"apply": "1", "note": "not allowed"})
    hold = client.post(operate_url(order, "place_hold"), {"apply": "1", "note": "not allowed"})

    # then
    assert page.context["operations"] == []
    assert (cancel.status_code, hold.status_code) == (403, 403)
    assert snapshot(order) == before
    assert reserved_units() == 1


def test_unknown_operation_is_refused(client, operator_user, shop):
    order = ingest(shop, "1001")
    client.force_login(operator_user)

    response = client.post(operate_url(order, "delete_selected"))

    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).state == OrderState.ALLOCATED
