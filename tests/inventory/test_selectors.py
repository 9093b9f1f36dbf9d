import datetime as dt

from inventory.selectors import kit_available, skus_affected_by, skus_sale_reach, stock_summary_list
from inventory.services import (
    OrderLine,
    inbound_shipment_create,
    order_lines_reserve,
    production_order_create,
    virtual_stock_lock,
)
from tests.factories import SellerFactory, SkuFactory, kit_of, stocked


def test_seller_sees_pool_plus_own_virtual_stock_and_incoming_units(sku, central, regional):
    harbor = SellerFactory(code="harbor")
    lotus = SellerFactory(code="lotus", may_draw_on_pool=False)
    stocked(sku, central, 30)
    stocked(sku, regional, 5)
    virtual_stock_lock(seller=harbor, sku=sku, warehouse=central, quantity=10)
    order_lines_reserve(seller=harbor, lines=[OrderLine("h1", sku.pk, 4)])
    inbound_shipment_create(reference="IN-1", lines=[(sku, 7)], warehouse=central, eta=dt.date(2026, 12, 2))
    inbound_shipment_create(
        reference="IN-2", lines=[(sku, 9)], warehouse=central, seller=lotus, eta=dt.date(2026, 12, 2)
    )
    production_order_create(number="MO-1", lines=[(sku, 100)], warehouse=central, eta=dt.date(2026, 12, 9))

    hub = stock_summary_list(sku_ids=[sku.pk])[sku.pk]
    for_harbor = stock_summary_list(sku_ids=[sku.pk], seller=harbor)[sku.pk]
    for_lotus = stock_summary_list(sku_ids=[sku.pk], seller=lotus)[sku.pk]

    assert (hub.on_hand, hub.reserved, hub.available, hub.in_transit, hub.in_production) == (35, 4, 31, 16, 100)
    assert (for_harbor.on_hand, for_harbor.reserved, for_harbor.available, for_harbor.in_transit) == (35, 4, 31, 7)
    assert (for_lotus.on_hand, for_lotus.available, for_lotus.in_transit, for_lotus.in_production) == (0, 0, 9, 0)


def test_kit_availability_is_the_minimum_over_components_and_kits_are_affected_by_components(central):
    bottle, lid, other = SkuFactory(), SkuFactory(), SkuFactory()
    kit = kit_of("SET", {bottle: 1, lid: 3})
    stocked(bottle, central, 4)
    stocked(lid, central, 10)

    assert kit_available(kit.pk) == 3
    assert skus_affected_by([lid.pk]) == {lid.pk, kit.pk}
    assert skus_affected_by([other.pk]) == {other.pk}


def test_a_sale_reaches_the_kits_that_share_a_component_with_what_it_takes(db, django_assert_num_queries):
    bottle, lid, strap, loose = SkuFactory(), SkuFactory(), SkuFactory(), SkuFactory()
    gift_set = kit_of("GIFT", {bottle: 1, lid: 1})
    travel_set = kit_of("TRAVEL", {bottle: 1, strap: 2})

    with django_assert_num_queries(1):
        sold, affected = skus_sale_reach([gift_set.pk])

    # selling the gift set takes a bottle, so the travel set (which needs a bottle too) moves
    assert sold == {gift_set.pk, bottle.pk, lid.pk}
    assert affected == {gift_set.pk, bottle.pk, lid.pk, travel_set.pk}
    assert skus_sale_reach([strap.pk]) == ({strap.pk}, {strap.pk, travel_set.pk})
    assert skus_sale_reach([loose.pk]) == ({loose.pk}, {loose.pk})
