"""The Amazon sandbox's Notifications API and SQS queue answer as documented, and the hub's clients speak them.

Shapes: notifications.json (destinations, subscriptions), schemas/notifications/OrderChangeNotification.json
(the envelope), the SQS JSON protocol (ReceiveMessage, DeleteMessage(Batch), errors ``{"__type", "message"}``
with ``x-amzn-query-error``). Signatures: AWS SigV4, checked against the example AWS publishes.
"""

import hashlib
import json
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.db import connections
from httpx_auth import AWS4Auth

from hub.marketplaces.amazon.sqs import SqsQueue
from hub.marketplaces.errors import AuthFailed
from hub.marketplaces.sandbox import amazon as sandbox
from hub.marketplaces.sandbox.amazon import sigv4
from hub.marketplaces.sandbox.amazon.sqs import (
    SANDBOX_ACCESS_KEY_ID,
    SANDBOX_SECRET_ACCESS_KEY,
    sandbox_queue,
)
from hub.marketplaces.sandbox.models import FaultKind, SandboxFault, SandboxQueueMessage
from hub.sync.notifications import account_notifications_subscribe
from tests.marketplaces.support import ISO_DATETIME, assert_shape

pytestmark = pytest.mark.django_db(transaction=True)

ORDER_CHANGE_ENVELOPE = {
    "NotificationVersion": {"1.0"},
    "NotificationType": {"ORDER_CHANGE"},
    "PayloadVersion": {"1.0"},
    "EventTime": ISO_DATETIME,
    "Payload": {
        "OrderChangeNotification": {
            "NotificationLevel": {"OrderLevel", "OrderItemLevel"},
            "SellerId": str,
            "AmazonOrderId": str,
            "OrderChangeType": {"OrderStatusChange", "BuyerRequestedChange"},
            "OrderChangeTrigger": {"TimeOfOrderChange": ISO_DATETIME, "ChangeReason": str},
            "Summary": {
                "MarketplaceId": str,
                "OrderStatus": {"Pending", "Unshipped", "PartiallyShipped", "Shipped", "Canceled"},
                "PurchaseDate": ISO_DATETIME,
                "DestinationPostalCode": str,
                "FulfillmentType": {"MFN", "AFN"},
                "OrderType": str,
                "OrderPrograms": [str],
                "ShippingPrograms": [str],
                "ElectronicInvoiceStatus": str,
                "OrderItems": [{"OrderItemId": str, "SellerSKU": str, "SupplySourceId": type(None), "Quantity": int}],
            },
        }
    },
    "NotificationMetadata": {
        "ApplicationId": str,
        "SubscriptionId": str,
        "PublishTime": ISO_DATETIME,
        "NotificationId": str,
    },
}


@pytest.fixture
def subscribed(make_amazon_account, settings, live_server):
    """A sandbox seller with a listing, subscribed to ORDER_CHANGE on the sandbox queue."""
    settings.HUB_BASE_URL = live_server.url
    shop, account = make_amazon_account(skus=["SKU-1"], quantity=10)
    account_notifications_subscribe(account.pk)
    return shop, account


@pytest.fixture
def queue(live_server, settings):
    settings.HUB_BASE_URL = live_server.url
    client = SqsQueue(sandbox_queue())
    yield client
    client.close()


def sqs_post(target: str, body: dict, *, auth=None, content: bytes | None = None, headers=None):
    config = sandbox_queue()
    return httpx.post(
        config.endpoint,
        content=content if content is not None else json.dumps({"QueueUrl": config.url, **body}).encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"AmazonSQS.{target}",
            **(headers or {}),
        },
        auth=auth,
        timeout=10,
    )


def signed(secret=SANDBOX_SECRET_ACCESS_KEY, key=SANDBOX_ACCESS_KEY_ID):
    return AWS4Auth(access_id=key, secret_key=secret, region="us-east-1", service="sqs")


# --- SigV4 ------------------------------------------------------------------------------
def test_the_verifier_reproduces_the_signature_aws_publishes():
    """https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html (IAM ListUsers example)."""
    request = sigv4.SignedRequest(
        method="GET",
        path="/",
        query="Action=ListUsers&Version=2010-05-08",
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Host": "iam.amazonaws.com",
            "X-Amz-Date": "20150830T123600Z",
        },
        body=b"",
    )
    canonical = sigv4.canonical_request(request, ["content-type", "host", "x-amz-date"])
    scope = ["20150830", "us-east-1", "iam", "aws4_request"]

    assert (
        sigv4.signature("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830T123600Z", scope, canonical)
        == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
    )


@pytest.mark.parametrize(
    ("auth", "status", "code"),
    [
        (None, 403, "MissingAuthenticationToken"),
        (signed(secret="wrong-secret"), 403, "SignatureDoesNotMatch"),
        (signed(key="AKIAUNKNOWN000000000"), 403, "InvalidClientTokenId"),
    ],
)
def test_an_unsigned_or_wrongly_signed_call_is_refused_as_sqs_refuses_it(queue, auth, status, code):
    response = sqs_post("ReceiveMessage", {"MaxNumberOfMessages": 1}, auth=auth)

    assert response.status_code == status
    assert response.headers["x-amzn-query-error"] == f"{code};Sender"
    assert response.headers["content-type"] == "application/x-amz-json-1.0"
    assert response.json()["__type"].endswith(f"#{code}")
    assert response.json()["message"]


def test_a_body_changed_after_signing_and_an_old_signature_are_refused(queue):
    request = httpx.Request(
        "POST",
        sandbox_queue().endpoint,
        content=json.dumps({"QueueUrl": sandbox_queue().url}).encode(),
        headers={"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.ReceiveMessage"},
    )
    request = next(signed().auth_flow(request))
    headers = {name: value for name, value in request.headers.items() if name.lower() != "content-length"}
    tampered = httpx.post(
        str(request.url), content=json.dumps({"QueueUrl": sandbox_queue().url, "X": 1}), headers=headers
    )
    old = dict(headers)
    old["x-amz-date"] = (datetime.now(UTC) - timedelta(minutes=20)).strftime("%Y%m%dT%H%M%SZ")
    stale = httpx.post(str(request.url), content=request.content, headers=old)

    assert tampered.status_code == 403
    assert tampered.headers["x-amzn-query-error"] == "SignatureDoesNotMatch;Sender"
    assert stale.status_code == 403
    assert "expired" in stale.json()["message"]


def test_the_hub_client_reports_a_refused_signature_as_an_auth_failure(live_server, settings):
    settings.HUB_BASE_URL = live_server.url
    config = sandbox_queue()
    client = SqsQueue(type(config)(**{**config.__dict__, "secret_access_key": "wrong"}))
    try:
        with pytest.raises(AuthFailed, match="SignatureDoesNotMatch"):
            client.receive(wait_seconds=0)
    finally:
        client.close()
    assert SANDBOX_SECRET_ACCESS_KEY not in repr(config)  # never in a log line


# --- the queue --------------------------------------------------------------------------
def test_an_order_queues_the_documented_envelope(subscribed, queue):
    shop, _account = subscribed
    order = sandbox.place_order(shop, [("SKU-1", 2)])

    (message,) = queue.receive(wait_seconds=0)

    envelope = json.loads(message.body)
    assert_shape(envelope, ORDER_CHANGE_ENVELOPE)
    change = envelope["Payload"]["OrderChangeNotification"]
    assert (change["SellerId"], change["AmazonOrderId"]) == (shop.shop_id, order.external_id)
    assert change["Summary"]["OrderStatus"] == "Unshipped"
    assert change["Summary"]["OrderItems"][0]["SellerSKU"] == "SKU-1"
    assert change["Summary"]["OrderItems"][0]["Quantity"] == 2
    assert change["OrderChangeTrigger"]["TimeOfOrderChange"] == order.payload["LastUpdateDate"]
    assert "ShippingAddress" not in json.dumps(envelope)


def test_receive_answers_the_json_protocol_and_hides_messages_until_deleted(subscribed, queue):
    shop, _account = subscribed
    sandbox.place_order(shop, [("SKU-1", 1)])

    first = sqs_post("ReceiveMessage", {"MaxNumberOfMessages": 10, "VisibilityTimeout": 1}, auth=signed())
    (message,) = first.json()["Messages"]
    hidden = sqs_post("ReceiveMessage", {"MaxNumberOfMessages": 10}, auth=signed())
    SandboxQueueMessage.objects.update(visible_at=datetime.now(UTC) - timedelta(seconds=1))  # timeout passed
    again = sqs_post("ReceiveMessage", {"MaxNumberOfMessages": 10}, auth=signed())
    (redelivered,) = again.json()["Messages"]
    stale_delete = sqs_post("DeleteMessage", {"ReceiptHandle": message["ReceiptHandle"]}, auth=signed())
    still_there = SandboxQueueMessage.objects.count()
    delete = sqs_post(
        "DeleteMessageBatch",
        {"Entries": [{"Id": "a", "ReceiptHandle": redelivered["ReceiptHandle"]}]},
        auth=signed(),
    )

    assert first.status_code == 200
    assert first.headers["content-type"] == "application/x-amz-json-1.0"
    assert set(message) == {"MessageId", "ReceiptHandle", "MD5OfBody", "Body"}
    assert message["MD5OfBody"] == hashlib.md5(message["Body"].encode()).hexdigest()  # noqa: S324
    assert hidden.json() == {}
    assert redelivered["MessageId"] == message["MessageId"]
    assert redelivered["ReceiptHandle"] != message["ReceiptHandle"]
    assert stale_delete.status_code == 200
    assert still_there == 1
    assert delete.json() == {"Successful": [{"Id": "a"}], "Failed": []}
    assert SandboxQueueMessage.objects.count() == 0


@pytest.mark.parametrize(
    ("target", "body", "code"),
    [
        ("ReceiveMessage", {"MaxNumberOfMessages": 11}, "InvalidParameterValue"),
        ("ReceiveMessage", {"WaitTimeSeconds": 21}, "InvalidParameterValue"),
        ("ReceiveMessage", {"QueueUrl": "http://127.0.0.1/000000000000/nope"}, "QueueDoesNotExist"),
        ("DeleteMessageBatch", {"Entries": []}, "EmptyBatchRequest"),
        (
            "DeleteMessageBatch",
            {"Entries": [{"Id": str(n), "ReceiptHandle": "h"} for n in range(11)]},
            "TooManyEntriesInBatchRequest",
        ),
        ("DeleteMessage", {"ReceiptHandle": ""}, "ReceiptHandleIsInvalid"),
        ("SendMessage", {"MessageBody": "x"}, "InvalidAction"),
    ],
)
def test_invalid_calls_get_sqs_errors(queue, target, body, code):
    response = sqs_post(target, body, auth=signed())

    assert response.status_code == 400
    assert response.headers["x-amzn-query-error"] == f"{code};Sender"


def test_a_long_poll_returns_as_soon_as_a_message_arrives(subscribed, queue):
    shop, _account = subscribed

    def buyer():
        time.sleep(0.5)
        try:
            sandbox.place_order(shop, [("SKU-1", 1)])
        finally:
            for connection in connections.all():
                connection.close()

    thread = threading.Thread(target=buyer)
    started = time.monotonic()
    thread.start()
    messages = queue.receive(wait_seconds=10)
    elapsed = time.monotonic() - started
    thread.join()

    assert len(messages) == 1
    assert 0.4 < elapsed < 3


def test_a_duplicate_fault_queues_the_same_notification_twice(subscribed, queue):
    shop, _account = subscribed
    SandboxFault.objects.create(platform="amazon", kind=FaultKind.DUPLICATE_NOTIFICATION, remaining=1)
    sandbox.place_order(shop, [("SKU-1", 1)])

    messages = queue.receive(wait_seconds=0)

    assert len(messages) == 2
    assert messages[0].body == messages[1].body
    assert messages[0].message_id != messages[1].message_id


def test_a_shop_without_subscription_queues_nothing(make_amazon_account, queue):
    shop, _account = make_amazon_account(skus=["SKU-1"], quantity=10)
    sandbox.place_order(shop, [("SKU-1", 1)])

    assert queue.receive(wait_seconds=0) == []


# --- Notifications API --------------------------------------------------------------------
def lwa(amazon_base_url, shop, **form):
    return httpx.post(
        f"{amazon_base_url}/auth/o2/token",
        data={"client_id": shop.secrets["client_id"], "client_secret": shop.secrets["client_secret"], **form},
    )


def test_grantless_tokens_need_the_notifications_scope(make_amazon_account, amazon_base_url):
    shop, _account = make_amazon_account()

    wrong = lwa(amazon_base_url, shop, grant_type="client_credentials", scope="sellingpartnerapi::orders")
    right = lwa(amazon_base_url, shop, grant_type="client_credentials", scope="sellingpartnerapi::notifications")

    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_scope"
    assert right.status_code == 200
    assert set(right.json()) == {"access_token", "scope", "token_type", "expires_in"}


def test_destinations_are_grantless_and_subscriptions_are_the_sellers(make_amazon_account, amazon_base_url):
    shop, account = make_amazon_account()
    seller_token = account.credentials["access_token"]
    app_token = lwa(
        amazon_base_url, shop, grant_type="client_credentials", scope="sellingpartnerapi::notifications"
    ).json()["access_token"]
    spec = {"name": "queue", "resourceSpecification": {"sqs": {"arn": "arn:aws:sqs:us-east-1:111122223333:q"}}}

    def call(method, path, token, body=None):
        return httpx.request(
            method, f"{amazon_base_url}/notifications/v1/{path}", json=body, headers={"x-amz-access-token": token}
        )

    with_seller_token = call("POST", "destinations", seller_token, spec)
    created = call("POST", "destinations", app_token, spec)
    twice = call("POST", "destinations", app_token, spec)
    listed = call("GET", "destinations", app_token)
    destination_id = created.json()["payload"]["destinationId"]
    missing = call("GET", "subscriptions/ORDER_CHANGE", seller_token)
    subscribed = call(
        "POST", "subscriptions/ORDER_CHANGE", seller_token, {"payloadVersion": "1.0", "destinationId": destination_id}
    )
    again = call(
        "POST", "subscriptions/ORDER_CHANGE", seller_token, {"payloadVersion": "1.0", "destinationId": destination_id}
    )
    read = call("GET", "subscriptions/ORDER_CHANGE", seller_token)

    assert with_seller_token.status_code == 403
    assert created.status_code == 200
    assert created.json()["payload"] == {
        "name": "queue",
        "destinationId": destination_id,
        "resource": {"sqs": {"arn": "arn:aws:sqs:us-east-1:111122223333:q"}},
    }
    assert twice.status_code == 409
    assert listed.json()["payload"] == [created.json()["payload"]]
    assert missing.status_code == 404
    assert subscribed.status_code == 200
    assert_shape(subscribed.json()["payload"], {"subscriptionId": str, "payloadVersion": {"1.0"}, "destinationId": str})
    assert again.status_code == 409
    assert read.json()["payload"] == subscribed.json()["payload"]
    assert again.headers["x-amzn-RequestId"]
