"""Low-stock alerts for kits: raised once when a kit's available (min over components) falls below its safety stock."""

from django.urls import reverse

from inventory.models import LowStockAlert
from inventory.services import OrderLine, order_lines_reserve, reservation_release, stock_receive
from tests.factories import SkuFactory, kit_of, stocked


def kit_alerts(kit):
    return list(LowStockAlert.objects.filter(sku=kit).values_list("available", "safety_stock", "resolved_at"))


def test_a_kit_alert_is_raised_once_when_a_component_runs_low_and_resolved_when_it_is_back(central, seller):
    # Given a kit of 2 cups and 1 saucer, safety stock 3 kits; the components need no safety stock of their own
    cup, saucer = SkuFactory(code="CUP"), SkuFactory(code="SAUCER")
    kit = kit_of("CUP-SET", {cup: 2, saucer: 1})
    stocked(cup, central, 10)
    stocked(saucer, central, 10)
    kit.safety_stock = 3
    kit.save()

    # When cups are sold on their own (the hot path) until 4 kits, then 2 kits can be built
    order_lines_reserve(seller=seller, lines=[OrderLine("c1", cup.pk, 2)])
    assert kit_alerts(kit) == []
    order_lines_reserve(seller=seller, lines=[OrderLine("c2", cup.pk, 3)])
    order_lines_reserve(seller=seller, lines=[OrderLine("c3", cup.pk, 1)])

    # Then one alert, raised at 2 kits, and no more on the next movement
    [(available, safety, resolved_at)] = kit_alerts(kit)
    assert (available, safety, resolved_at) == (2, 3, None)
    assert not LowStockAlert.objects.filter(sku__in=[cup, saucer]).exists()

    # When the cups come back, the alert is resolved
    reservation_release(line_key="c3")
    assert LowStockAlert.objects.get(sku=kit).is_open  # 5 cups: still 2 kits
    stock_receive(sku=cup, warehouse=central, quantity=1)
    assert not LowStockAlert.objects.get(sku=kit).is_open
    assert LowStockAlert.objects.filter(sku=kit).count() == 1


def test_reserving_kits_raises_the_kit_alert(central, seller):
    cup, saucer = SkuFactory(code="CUP"), SkuFactory(code="SAUCER")
    kit = kit_of("CUP-SET", {cup: 2, saucer: 1})
    stocked(cup, central, 8)
    stocked(saucer, central, 5)
    kit.safety_stock = 2
    kit.save()

    order_lines_reserve(seller=seller, lines=[OrderLine("k1", kit.pk, 2)])
    assert kit_alerts(kit) == []
    order_lines_reserve(seller=seller, lines=[OrderLine("k2", kit.pk, 1)])

    assert [row[:2] for row in kit_alerts(kit)] == [(1, 2)]


def test_kit_alerts_show_in_the_admin_beside_sku_alerts(central, seller, admin_client):
    cup = SkuFactory(code="CUP", safety_stock=5)
    kit = kit_of("CUP-PAIR", {cup: 2})
    kit.safety_stock = 3
    kit.save()
    stocked(cup, central, 5)  # 2 pairs: the kit is low; the cup is not

    page = admin_client.get(reverse("admin:inventory_lowstockalert_changelist") + "?sku__is_kit__exact=1")

    assert page.status_code == 200
    assert [alert.sku for alert in page.context["cl"].queryset] == [kit]
