import pytest

from inventory.enums import MovementKind, ReservationStatus
from inventory.exceptions import InsufficientStock, InvalidQuantity, InvalidTransition, OverRelease, UnknownSku
from inventory.ledger import verify_ledger
from inventory.models import Movement, Reservation, Stock
from inventory.services import (
    OrderLine,
    backorders_fill,
    order_lines_reserve,
    reservation_pick,
    reservation_release,
    reservation_ship,
    stock_receive,
    stock_return_restock,
    virtual_stock_lock,
)
from sellers.enums import ShortagePolicy
from tests.factories import SellerFactory, SkuFactory, kit_of, stocked


def pool(sku, warehouse):
    row = Stock.objects.get(sku=sku, warehouse=warehouse, seller=None)
    return row.on_hand, row.reserved


def test_reserve_holds_units_and_is_idempotent_per_line(sku, central, seller):
    stocked(sku, central, 10)
    line = OrderLine("order-line:1", sku.pk, 3)

    first = order_lines_reserve(seller=seller, lines=[line], reference="order:1")
    again = order_lines_reserve(seller=seller, lines=[line], reference="order:1")

    assert [r.pk for r in first] == [r.pk for r in again]
    assert (first[0].status, first[0].quantity_reserved) == (ReservationStatus.RESERVED, 3)
    assert pool(sku, central) == (10, 3)
    assert Movement.objects.filter(kind=MovementKind.RESERVATION).count() == 1
    assert verify_ledger() == []


def test_hash_built_in_sql_on_the_hot_path_matches_the_python_ledger(sku, central, seller, admin_user):
    stocked(sku, central, 10)

    order_lines_reserve(seller=seller, lines=[OrderLine("订单:7|a:b", sku.pk, 2)], actor=admin_user)

    movement = Movement.objects.get(kind=MovementKind.RESERVATION)
    assert (movement.reference, movement.actor, movement.reserved_after) == ("订单:7|a:b", admin_user, 2)
    assert verify_ledger() == []


def test_line_key_reused_for_another_sku_is_refused(sku, central, seller):
    other = SkuFactory()
    stocked(sku, central, 5)
    stocked(other, central, 5)
    order_lines_reserve(seller=seller, lines=[OrderLine("l1", sku.pk, 1)])

    with pytest.raises(InvalidQuantity, match="already used"):
        order_lines_reserve(seller=seller, lines=[OrderLine("l1", other.pk, 1)])

    assert pool(other, central) == (5, 0)


def test_bad_lines_are_refused_and_nothing_is_half_applied(sku, central, seller):
    stocked(sku, central, 5)
    good = OrderLine("a", sku.pk, 2)

    for lines, error in [
        ([], InvalidQuantity),
        ([good, OrderLine("b", sku.pk, 0)], InvalidQuantity),
        ([good, OrderLine("b", sku.pk, -1)], InvalidQuantity),
        ([good, OrderLine("a", sku.pk, 1)], InvalidQuantity),
        ([good, OrderLine("b", 987654, 1)], UnknownSku),
        ([good, OrderLine("b", sku.pk, 4)], InsufficientStock),
    ]:
        with pytest.raises(error):
            order_lines_reserve(seller=seller, lines=lines)

    assert pool(sku, central) == (5, 0)
    assert not Reservation.objects.exists()
    assert verify_ledger() == []


def test_reject_policy_refuses_the_whole_order(sku, central):
    seller = SellerFactory(shortage_policy=ShortagePolicy.REJECT)
    stocked(sku, central, 2)

    with pytest.raises(InsufficientStock, match="rejected"):
        order_lines_reserve(seller=seller, lines=[OrderLine("x1", sku.pk, 3)])

    assert pool(sku, central) == (2, 0)
    assert not Reservation.objects.exists()


def test_partial_policy_reserves_what_there_is_and_backorders_the_rest(sku, central):
    seller = SellerFactory(shortage_policy=ShortagePolicy.PARTIAL)
    stocked(sku, central, 2)

    [reservation] = order_lines_reserve(seller=seller, lines=[OrderLine("p1", sku.pk, 5)])

    assert (reservation.status, reservation.quantity_reserved, reservation.quantity_backordered) == (
        ReservationStatus.BACKORDERED,
        2,
        3,
    )
    assert pool(sku, central) == (2, 2)
    with pytest.raises(InvalidTransition, match="backordered"):
        reservation_pick(line_key="p1")
    assert verify_ledger() == []


def test_backorder_policy_holds_nothing_until_the_whole_line_can_be_filled(sku, central):
    seller = SellerFactory(shortage_policy=ShortagePolicy.BACKORDER)
    stocked(sku, central, 2)

    [reservation] = order_lines_reserve(seller=seller, lines=[OrderLine("b1", sku.pk, 5)])
    assert (reservation.status, reservation.quantity_reserved) == (ReservationStatus.BACKORDERED, 0)
    assert pool(sku, central) == (2, 0)

    stock_receive(sku=sku, warehouse=central, quantity=2)
    assert backorders_fill(sku_ids=[sku.pk]) == 0
    stock_receive(sku=sku, warehouse=central, quantity=1)
    assert backorders_fill(sku_ids=[sku.pk]) == 1

    reservation.refresh_from_db()
    assert (reservation.status, reservation.quantity_reserved) == (ReservationStatus.RESERVED, 5)
    assert pool(sku, central) == (5, 5)
    assert verify_ledger() == []


def test_cancel_after_reserve_returns_the_units(sku, central, seller):
    stocked(sku, central, 10)
    order_lines_reserve(seller=seller, lines=[OrderLine("c1", sku.pk, 4)])

    reservation_release(line_key="c1", quantity=1)
    assert pool(sku, central) == (10, 3)
    with pytest.raises(OverRelease):
        reservation_release(line_key="c1", quantity=4)
    released = reservation_release(line_key="c1")

    assert (released.status, released.quantity, released.quantity_reserved) == (ReservationStatus.RELEASED, 0, 0)
    assert pool(sku, central) == (10, 0)
    assert [m.reserved_delta for m in Movement.objects.filter(kind=MovementKind.RELEASE).order_by("pk")] == [-1, -3]
    with pytest.raises(InvalidTransition):
        reservation_release(line_key="c1")
    assert verify_ledger() == []


def test_reserve_pick_ship_consumes_the_units(sku, central, seller):
    stocked(sku, central, 10)
    order_lines_reserve(seller=seller, lines=[OrderLine("s1", sku.pk, 4)])

    reservation_pick(line_key="s1")
    shipped = reservation_ship(line_key="s1", reference="shipment:9")

    assert shipped.status == ReservationStatus.SHIPPED
    assert pool(sku, central) == (6, 0)
    movement = Movement.objects.get(kind=MovementKind.SHIPMENT)
    assert (movement.on_hand_delta, movement.reserved_delta, movement.reference) == (-4, -4, "shipment:9")
    with pytest.raises(InvalidTransition):
        reservation_ship(line_key="s1")
    with pytest.raises(InvalidTransition):
        reservation_release(line_key="s1")
    assert verify_ledger() == []


def test_return_restock_after_shipment(sku, central, regional, seller):
    stocked(sku, central, 3)
    order_lines_reserve(seller=seller, lines=[OrderLine("r1", sku.pk, 3)])
    reservation_ship(line_key="r1")

    stock_return_restock(sku=sku, warehouse=regional, quantity=1, reference="RMA-1")

    assert pool(sku, central) == (3 - 3, 0)
    assert pool(sku, regional) == (1, 0)
    assert verify_ledger() == []


def test_virtual_stock_is_drawn_first_then_the_pool(sku, central):
    seller = SellerFactory(may_draw_on_pool=True)
    stocked(sku, central, 10)
    virtual_stock_lock(seller=seller, sku=sku, warehouse=central, quantity=3)

    [reservation] = order_lines_reserve(seller=seller, lines=[OrderLine("v1", sku.pk, 5)])

    held = {(a.stock.seller_id, a.quantity) for a in reservation.allocations.select_related("stock")}
    assert held == {(seller.pk, 3), (None, 2)}
    assert pool(sku, central) == (7, 2)
    assert verify_ledger() == []


def test_seller_not_allowed_on_the_pool_only_gets_its_virtual_stock(sku, central):
    seller = SellerFactory(may_draw_on_pool=False, shortage_policy=ShortagePolicy.REJECT)
    stocked(sku, central, 10)
    virtual_stock_lock(seller=seller, sku=sku, warehouse=central, quantity=2)

    with pytest.raises(InsufficientStock):
        order_lines_reserve(seller=seller, lines=[OrderLine("n1", sku.pk, 3)])
    order_lines_reserve(seller=seller, lines=[OrderLine("n2", sku.pk, 2)])

    assert pool(sku, central) == (8, 0)
    virtual = Stock.objects.get(sku=sku, seller=seller)
    assert (virtual.on_hand, virtual.reserved) == (2, 2)


def test_other_sellers_cannot_touch_a_sellers_virtual_stock(sku, central):
    owner = SellerFactory()
    other = SellerFactory(shortage_policy=ShortagePolicy.REJECT)
    stocked(sku, central, 4)
    virtual_stock_lock(seller=owner, sku=sku, warehouse=central, quantity=4)

    with pytest.raises(InsufficientStock):
        order_lines_reserve(seller=other, lines=[OrderLine("o1", sku.pk, 1)])


def test_kit_reserves_its_components_and_releases_them(central, seller):
    bottle, lid = SkuFactory(code="BOTTLE"), SkuFactory(code="LID")
    kit = kit_of("BOTTLE-SET", {bottle: 1, lid: 2})
    stocked(bottle, central, 5)
    stocked(lid, central, 7)

    [reservation] = order_lines_reserve(seller=seller, lines=[OrderLine("k1", kit.pk, 3)])
    assert (pool(bottle, central), pool(lid, central)) == ((5, 3), (7, 6))
    assert reservation.quantity_reserved == 3

    reservation_release(line_key="k1", quantity=1)
    assert (pool(bottle, central), pool(lid, central)) == ((5, 2), (7, 4))
    reservation_ship(line_key="k1")
    assert (pool(bottle, central), pool(lid, central)) == ((3, 0), (3, 0))
    assert verify_ledger() == []


def test_kit_short_on_one_component_is_rejected_whole(central):
    seller = SellerFactory(shortage_policy=ShortagePolicy.REJECT)
    bottle, lid = SkuFactory(), SkuFactory()
    kit = kit_of("SET", {bottle: 1, lid: 2})
    stocked(bottle, central, 5)
    stocked(lid, central, 3)

    with pytest.raises(InsufficientStock):
        order_lines_reserve(seller=seller, lines=[OrderLine("k2", kit.pk, 2)])

    assert (pool(bottle, central), pool(lid, central)) == ((5, 0), (3, 0))


def test_an_order_of_several_lines_is_one_transaction(sku, central, seller):
    other = SkuFactory()
    stocked(sku, central, 5)
    stocked(other, central, 1)

    with pytest.raises(InsufficientStock):
        order_lines_reserve(seller=seller, lines=[OrderLine("m1", sku.pk, 5), OrderLine("m2", other.pk, 2)])
    reservations = order_lines_reserve(seller=seller, lines=[OrderLine("m1", sku.pk, 5), OrderLine("m2", other.pk, 1)])

    assert [r.quantity_reserved for r in reservations] == [5, 1]
    assert (pool(sku, central), pool(other, central)) == ((5, 5), (1, 1))
    assert verify_ledger() == []


def test_inactive_sku_and_a_kit_without_components_are_refused(central, seller):
    retired = SkuFactory(is_active=False)
    stocked(retired, central, 5)
    empty_kit = SkuFactory(is_kit=True)

    with pytest.raises(UnknownSku):
        order_lines_reserve(seller=seller, lines=[OrderLine("i1", retired.pk, 1)])
    with pytest.raises(UnknownSku, match="no components"):
        order_lines_reserve(seller=seller, lines=[OrderLine("i2", empty_kit.pk, 1)])

    assert pool(retired, central) == (5, 0)
    assert not Reservation.objects.exists()


def test_partial_lines_are_filled_oldest_first_as_stock_arrives(sku, central):
    seller = SellerFactory(shortage_policy=ShortagePolicy.PARTIAL)
    stocked(sku, central, 1)
    order_lines_reserve(seller=seller, lines=[OrderLine("old", sku.pk, 3)])
    order_lines_reserve(seller=seller, lines=[OrderLine("new", sku.pk, 2)])

    stock_receive(sku=sku, warehouse=central, quantity=3)
    assert backorders_fill(sku_ids=[sku.pk]) == 2

    old, new = Reservation.objects.get(line_key="old"), Reservation.objects.get(line_key="new")
    assert (old.status, old.quantity_reserved) == (ReservationStatus.RESERVED, 3)
    assert (new.status, new.quantity_reserved) == (ReservationStatus.BACKORDERED, 1)
    assert pool(sku, central) == (4, 4)
    assert verify_ledger() == []
