"""Amazon ORDER_CHANGE notifications through the sandbox's SQS queue (real HTTP, SigV4-signed).

The receiver stores each message raw, then deletes it; processing builds the order from the
summary and reserves at once, with its details pending until the pull brings the address.
"""

import json
import logging

import pytest

from hub.marketplaces.sandbox.amazon import order_cancel, place_order
from hub.marketplaces.sandbox.amazon.sqs import SANDBOX_AWS_ACCOUNT, SANDBOX_QUEUE_NAME, message_enqueue
from hub.marketplaces.sandbox.common import Buyer
from hub.marketplaces.sandbox.connect import sandbox_account_connect, sandbox_listing_connect
from hub.marketplaces.sandbox.models import (
    FaultKind,
    SandboxDestination,
    SandboxFault,
    SandboxQueueMessage,
    SandboxSubscription,
)
from hub.sync import notifications
from hub.sync.enums import InboxSource, InboxState
from hub.sync.ingest import account_pull, inbox_process
from hub.sync.models import InboxMessage
from hub.sync.notifications import account_notifications_subscribe, notifications_receive
from inventory.models import Stock
from orders.enums import OrderState
from orders.exceptions import OrderTransitionError
from orders.models import Order
from orders.services import order_transition
from tests.factories import SellerFactory, SkuFactory, WarehouseFactory, stocked
from tests.marketplaces.support import calls

QUEUE = f"{SANDBOX_AWS_ACCOUNT}:{SANDBOX_QUEUE_NAME}"
BUYER = Buyer("Emily Carter", "US", "Austin", "73301", "1200 Barton Springs Rd", "TX", "+1 512 555 0101", "e@x.com")


@pytest.fixture
def amazon(sandbox_hub, transactional_db):
    """A seller's Amazon account on the sandbox, subscribed to ORDER_CHANGE; one SKU, 10 units in the pool."""
    sku = SkuFactory(code="MUG-BLUE")
    stocked(sku, WarehouseFactory(), 10)
    seller = SellerFactory(code="bob")
    account, shop = sandbox_account_connect(seller, "amazon", "bob-amazon", region="ATVPDKIKX0DER")
    listing, _ = sandbox_listing_connect(account, shop, sku, "BOB-MUG", 10)
    account_notifications_subscribe(account.pk)
    return account, shop, listing, sku


def reserved(sku) -> int:
    return sum(Stock.objects.filter(sku=sku).values_list("reserved", flat=True))


def receive_and_process() -> list[int]:
    """What the beat-driven receiver and the inbox worker do, in this process."""
    before = set(InboxMessage.objects.values_list("pk", flat=True))
    notifications_receive(budget_seconds=0)
    new = sorted(set(InboxMessage.objects.values_list("pk", flat=True)) - before)
    for message_id in new:
        inbox_process(message_id)
    return new


def test_connecting_an_amazon_account_queues_its_subscription(sandbox_hub, transactional_db, monkeypatch):
    queued = []
    monkeypatch.setattr(
        "hub.sync.notification_tasks.amazon_notifications_subscribe_task.delay",
        lambda account_id: queued.append(account_id),
    )
    account, _shop = sandbox_account_connect(SellerFactory(), "amazon", "carol-amazon", region="ATVPDKIKX0DER")
    ebay, _ = sandbox_account_connect(SellerFactory(), "ebay", "carol-ebay", region="EBAY_US")

    assert queued == [account.pk]  # after the commit, once; other platforms are not subscribed
    assert ebay.pk not in queued


def test_subscribing_is_idempotent(amazon):
    account, shop, _listing, _sku = amazon

    again = account_notifications_subscribe(account.pk)

    subscription = SandboxSubscription.objects.get(shop=shop)
    assert again == subscription.subscription_id
    assert SandboxSubscription.objects.count() == 1
    assert SandboxDestination.objects.count() == 1
    assert subscription.notification_type == "ORDER_CHANGE"
    assert subscription.payload_version == "1.0"
    assert subscription.destination.arn == f"arn:aws:sqs:us-east-1:{SANDBOX_AWS_ACCOUNT}:{SANDBOX_QUEUE_NAME}"
    account.refresh_from_db()
    assert account.settings["notifications"] == {
        "destination_id": subscription.destination.destination_id,
        "order_change_subscription_id": subscription.subscription_id,
    }


def test_a_subscription_to_another_destination_is_replaced(amazon):
    account, shop, _listing, _sku = amazon
    other = SandboxDestination.objects.create(
        application=shop.secrets["client_id"], destination_id="old", name="old", arn="arn:aws:sqs:us-east-1:1:old"
    )
    SandboxSubscription.objects.filter(shop=shop).update(destination=other)

    account_notifications_subscribe(account.pk)

    assert SandboxSubscription.objects.get(shop=shop).destination.arn.endswith(f":{SANDBOX_QUEUE_NAME}")


def test_the_receiver_stores_then_deletes_and_duplicates_make_one_order(amazon, monkeypatch):
    _account, shop, listing, sku = amazon
    SandboxFault.objects.create(platform="amazon", kind=FaultKind.DUPLICATE_NOTIFICATION, remaining=1)
    order = place_order(shop, [(listing.seller_sku, 2)], buyer=BUYER)
    assert SandboxQueueMessage.objects.filter(queue=QUEUE).count() == 2
    deletes = []
    real_delete = notifications.SqsQueue.delete

    def delete_after_commit(self, handles):
        deletes.append((len(handles), InboxMessage.objects.filter(source=InboxSource.NOTIFICATION).count()))
        return real_delete(self, handles)

    monkeypatch.setattr(notifications.SqsQueue, "delete", delete_after_commit)

    stored = receive_and_process()

    assert deletes == [(2, 1)]  # both copies deleted, and only once the one stored message was committed
    assert len(stored) == 1
    assert SandboxQueueMessage.objects.count() == 0
    message = InboxMessage.objects.get()
    assert (message.platform, message.topic, message.external_id) == ("amazon", "ORDER_CHANGE", order.external_id)
    assert message.state == InboxState.PROCESSED
    assert json.loads(message.body)["Payload"]["OrderChangeNotification"]["SellerId"] == shop.shop_id
    hub_order = Order.objects.get()
    assert hub_order.external_id == order.external_id
    assert hub_order.state == OrderState.ALLOCATED
    assert hub_order.details_pending is True
    assert hub_order.ship_postal_code == "73301"
    assert [(line.seller_sku, line.quantity, line.sku_id) for line in hub_order.lines.all()] == [("BOB-MUG", 2, sku.pk)]
    assert reserved(sku) == 2


def test_a_message_delivered_again_after_it_was_stored_creates_nothing(amazon):
    _account, shop, listing, sku = amazon
    place_order(shop, [(listing.seller_sku, 1)], buyer=BUYER)
    receive_and_process()
    body = InboxMessage.objects.get().body

    message_enqueue(QUEUE, body)  # SQS delivers at least once
    assert receive_and_process() == []

    assert InboxMessage.objects.count() == 1
    assert SandboxQueueMessage.objects.count() == 0
    assert Order.objects.count() == 1
    assert reserved(sku) == 1


def test_a_message_whose_storing_fails_stays_in_the_queue(amazon, monkeypatch):
    _account, shop, listing, _sku = amazon
    place_order(shop, [(listing.seller_sku, 1)], buyer=BUYER)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(InboxMessage.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        notifications_receive(budget_seconds=0)

    assert InboxMessage.objects.count() == 0
    assert SandboxQueueMessage.objects.filter(receive_count=1).count() == 1  # invisible for now, then back


def test_a_notified_order_then_pulled_is_one_order_with_its_address(amazon):
    account, shop, listing, sku = amazon
    placed = place_order(shop, [(listing.seller_sku, 3)], buyer=BUYER)
    receive_and_process()
    order = Order.objects.get()
    assert order.ship_name == ""
    with pytest.raises(OrderTransitionError):
        order_transition(order, OrderState.RELEASED)  # no warehouse release before the address

    account_pull(account.pk)

    order = Order.objects.get()
    assert order.external_id == placed.external_id
    assert order.details_pending is False
    assert (order.ship_name, order.ship_city, order.ship_country, order.ship_postal_code) == (
        "Emily Carter",
        "Austin",
        "US",
        "73301",
    )
    assert order.total > 0  # the amounts came with the full order
    assert order.state == OrderState.ALLOCATED
    assert reserved(sku) == 3
    assert calls(shop, "getOrderItems") == 0  # the notification had given the items
    assert order.events.filter(note="Buyer and address received.").count() == 1
    assert account_pull(account.pk) == 0  # nothing pending any more: the overlap skips it


def test_a_cancellation_notification_releases_the_stock(amazon):
    _account, shop, listing, sku = amazon
    placed = place_order(shop, [(listing.seller_sku, 2)], buyer=BUYER)
    receive_and_process()
    assert reserved(sku) == 2

    order_cancel(shop, placed.external_id, buyer_requested=True)
    receive_and_process()

    order = Order.objects.get()
    assert order.state == OrderState.CANCELLED
    assert order.marketplace_status == "cancelled"
    assert reserved(sku) == 0


def test_a_late_creation_notice_after_the_cancellation_changes_nothing(amazon):
    _account, shop, listing, sku = amazon
    SandboxFault.objects.create(platform="amazon", kind=FaultKind.REORDER_NOTIFICATION, remaining=1, delay_seconds=1)
    placed = place_order(shop, [(listing.seller_sku, 2)], buyer=BUYER)
    order_cancel(shop, placed.external_id)
    receive_and_process()  # the cancellation only: the creation is not visible yet
    SandboxQueueMessage.objects.update(visible_at=SandboxQueueMessage.objects.get().sent_at)
    receive_and_process()

    order = Order.objects.get()
    assert order.state == OrderState.CANCELLED
    assert reserved(sku) == 0
    assert InboxMessage.objects.filter(state=InboxState.IGNORED).count() == 1


def test_a_notification_for_an_unknown_seller_is_rejected_and_logged(amazon, caplog):
    _account, shop, listing, _sku = amazon
    place_order(shop, [(listing.seller_sku, 1)], buyer=BUYER)
    envelope = json.loads(SandboxQueueMessage.objects.get().body)
    SandboxQueueMessage.objects.all().delete()
    envelope["Payload"]["OrderChangeNotification"]["SellerId"] = "A-NOT-CONNECTED"
    message_enqueue(QUEUE, json.dumps(envelope))

    with caplog.at_level(logging.WARNING, logger="hub.sync.notifications"):
        assert receive_and_process() == []

    assert InboxMessage.objects.count() == 0
    assert Order.objects.count() == 0
    assert SandboxQueueMessage.objects.count() == 0  # rejected for good, not redelivered forever
    assert "unknown seller A-NOT-CONNECTED" in caplog.text


@pytest.mark.django_db
def test_the_receiver_schedule_is_created_on_migrate_and_operators_edits_are_kept():
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from hub.sync.schedules import NOTIFICATIONS_RECEIVE_TASK_NAME, notifications_schedule_after_migrate

    PeriodicTask.objects.filter(name=NOTIFICATIONS_RECEIVE_TASK_NAME).delete()
    notifications_schedule_after_migrate(sender=None)
    task = PeriodicTask.objects.get(name=NOTIFICATIONS_RECEIVE_TASK_NAME)
    assert task.task == "hub.sync.notification_tasks.amazon_notifications_receive_task"
    assert (task.interval.every, task.interval.period) == (1, IntervalSchedule.SECONDS)
    assert task.enabled is True

    task.interval, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    task.save()
    notifications_schedule_after_migrate(sender=None)

    assert PeriodicTask.objects.get(name=NOTIFICATIONS_RECEIVE_TASK_NAME).interval.every == 2


def test_two_receivers_storing_the_same_notification_at_once_store_it_once(amazon):
    from hub.marketplaces.amazon.sqs import QueueMessage
    from hub.sync.notifications import messages_store
    from tests.marketplaces.support import run_at_once

    _account, shop, listing, _sku = amazon
    place_order(shop, [(listing.seller_sku, 1)], buyer=BUYER)
    queued = SandboxQueueMessage.objects.get()
    copies = [QueueMessage(f"m{n}", f"h{n}", queued.body) for n in range(4)]

    results, errors = run_at_once([lambda copy=copy: messages_store([copy]) for copy in copies])

    assert errors == []
    assert sorted(len(batch.stored) for batch in results) == [0, 0, 0, 1]
    assert sorted(batch.duplicates for batch in results) == [0, 1, 1, 1]
    assert InboxMessage.objects.count() == 1


def test_the_queue_is_not_polled_before_an_account_is_subscribed(sandbox_hub, transactional_db, monkeypatch):
    def no_queue(*args, **kwargs):
        raise AssertionError("the queue was polled")

    monkeypatch.setattr(notifications, "SqsQueue", no_queue)
    sandbox_account_connect(SellerFactory(), "amazon", "dave-amazon", region="ATVPDKIKX0DER")  # not subscribed yet

    assert notifications_receive(budget_seconds=0) == 0


def test_a_pending_order_pulled_without_its_address_keeps_waiting_for_it(amazon):
    """Amazon shows no address while an order is Pending: the pull leaves the details pending, holds nothing."""
    from hub.marketplaces.sandbox.models import SandboxOrder

    account, shop, listing, sku = amazon
    placed = place_order(shop, [(listing.seller_sku, 1)], buyer=BUYER)
    receive_and_process()
    full = dict(placed.payload)
    pending = {key: value for key, value in full.items() if key != "ShippingAddress"}
    SandboxOrder.objects.filter(pk=placed.pk).update(payload={**pending, "OrderStatus": "Pending"})

    account_pull(account.pk)
    order = Order.objects.get()
    assert (order.details_pending, order.state, order.ship_country) == (True, OrderState.ALLOCATED, "")

    SandboxOrder.objects.filter(pk=placed.pk).update(payload=full)  # paid: Amazon shows the address
    account_pull(account.pk)

    order.refresh_from_db()
    assert (order.details_pending, order.state, order.ship_country) == (False, OrderState.ALLOCATED, "US")
    assert reserved(sku) == 1


def test_a_seller_with_an_account_per_marketplace_gets_each_order_on_its_marketplaces_account(amazon):
    from tests.marketplaces.support import account_for_shop

    account, shop, listing, _sku = amazon
    germany = account_for_shop(
        account.seller, shop, {}, account.base_url, region="A1PN6AFILU2W8O", settings={"notifications": {}}
    )
    place_order(shop, [(listing.seller_sku, 1)], buyer=BUYER)  # the shop sells on ATVPDKIKX0DER

    receive_and_process()

    assert InboxMessage.objects.get().account_id == account.pk != germany.pk
    assert Order.objects.get().account_id == account.pk


@pytest.fixture
def receiver_health():
    from django.core.cache import cache

    from hub.sync import health

    cache.delete(health.RECEIVER_KEY)
    yield health
    cache.delete(health.RECEIVER_KEY)


def test_a_receiver_that_cannot_read_the_queue_shows_on_the_sync_status_page(
    amazon, client, operator_user, receiver_health
):
    import dataclasses

    from hub.marketplaces.amazon.sqs import SqsQueue

    health = receiver_health
    wrong_secret = dataclasses.replace(notifications.queue_config(), secret_access_key="not-the-secret")
    client.force_login(operator_user)
    for _ in range(health.FAILURES_BEFORE_ALERT):
        queue = SqsQueue(wrong_secret, timeout=5)
        assert notifications_receive(budget_seconds=0, queue=queue) == 0  # refused by SigV4: no crash, no message
        queue.close()

    state = health.receiver_state()
    assert state["consecutive_failures"] == health.FAILURES_BEFORE_ALERT
    assert state["alert"]
    assert "not-the-secret" not in state["last_error"]
    body = client.get("/sync/status/").content.decode()
    assert "The Amazon notification queue needs attention" in body
    assert "5 failures in a row" in body

    place_order(amazon[1], [("BOB-MUG", 1)], buyer=BUYER)
    assert len(receive_and_process()) == 1  # the right keys again
    assert not health.receiver_state()["alert"]
    assert "needs attention" not in client.get("/sync/status/").content.decode()
