"""An SQS queue speaking the SQS JSON protocol, where the Amazon sandbox delivers notifications.

``POST /sandbox/amazon/sqs/`` with ``X-Amz-Target: AmazonSQS.<Action>`` and ``Content-Type:
application/x-amz-json-1.0``, signed with AWS Signature Version 4 (service ``sqs``). Actions:
ReceiveMessage (``MaxNumberOfMessages`` 1-10, ``WaitTimeSeconds`` 0-20, ``VisibilityTimeout``),
DeleteMessage, DeleteMessageBatch. Errors: ``{"__type", "message"}`` with ``x-amzn-query-error:
<Code>;Sender`` (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html).

State is ``SandboxQueueMessage`` rows in PostgreSQL, beside the sandbox's orders: messages are
written in the same transaction as the order change that causes them, and a receive claims rows
with ``FOR UPDATE SKIP LOCKED``, so any number of processes may serve the queue. A long poll
waits on a Redis list the publisher pushes to after commit (at most ``MAX_WAITERS`` callers per
queue wait; more answer at once), so it returns as soon as a message arrives without spinning.
"""

import functools
import hashlib
import json
import secrets
import time
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from hub.marketplaces.amazon.sqs import QueueConfig

from ..common import fault_response, record_call
from ..models import SandboxDestination, SandboxQueueMessage
from . import sigv4
from .shop import PLATFORM, sandbox_base_url

JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
TARGET_PREFIX = "AmazonSQS."
# The sandbox's own AWS account, queue and IAM keys (hub settings default to these with the sandbox on).
SANDBOX_AWS_ACCOUNT = "000000000000"
SANDBOX_QUEUE_NAME = "sp-api-notifications"
SANDBOX_REGION = "us-east-1"
SANDBOX_ACCESS_KEY_ID = "AKIASANDBOXHUB000001"
SANDBOX_SECRET_ACCESS_KEY = "sandbox/secret/not-a-real-aws-key/0000000001"  # noqa: S105 - sandbox only
DEFAULT_VISIBILITY_TIMEOUT = 30
MAX_WAIT_SECONDS = 20
MAX_WAITERS = 4
WAKE_TOKENS_KEPT = 10


def sqs_endpoint_url() -> str:
    return sandbox_base_url() + "/sqs/"


def sandbox_queue() -> QueueConfig:
    """What the hub needs to reach the sandbox's queue (its URL, endpoint, region and keys)."""
    endpoint = sqs_endpoint_url()
    return QueueConfig(
        url=f"{endpoint}{SANDBOX_AWS_ACCOUNT}/{SANDBOX_QUEUE_NAME}",
        region=SANDBOX_REGION,
        access_key_id=SANDBOX_ACCESS_KEY_ID,
        secret_access_key=SANDBOX_SECRET_ACCESS_KEY,
        endpoint=endpoint,
    )


def queue_key_from_arn(arn: str) -> str:
    """arn:aws:sqs:<region>:<account>:<name> -> "<account>:<name>"."""
    parts = arn.split(":")
    return f"{parts[4]}:{parts[5]}" if len(parts) == 6 and parts[2] == "sqs" else ""


def queue_key_from_url(url: str) -> str:
    """.../<account>/<name> -> "<account>:<name>"."""
    path = [part for part in urlsplit(str(url)).path.split("/") if part]
    return f"{path[-2]}:{path[-1]}" if len(path) >= 2 else ""


def _queue_exists(key: str) -> bool:
    if key == f"{SANDBOX_AWS_ACCOUNT}:{SANDBOX_QUEUE_NAME}":
        return True
    account, _, name = key.partition(":")
    return SandboxDestination.objects.filter(arn__endswith=f":{account}:{name}").exists()


# --- waking long polls ------------------------------------------------------------
_redis_client = None


def _redis():
    global _redis_client
    if _redis_client is None and settings.REDIS_URL:
        import redis

        _redis_client = redis.Redis.from_url(settings.REDIS_URL)
    return _redis_client


def _wake_key(queue: str) -> str:
    return f"sandbox:sqs:wake:{queue}"


def queue_wake(queue: str, count: int) -> None:
    """After commit: wake up to ``count`` long polls waiting on ``queue``."""
    client = _redis()
    if client is None:
        return
    key = _wake_key(queue)
    pipe = client.pipeline()
    pipe.rpush(key, *(["1"] * max(1, min(count, WAKE_TOKENS_KEPT))))
    pipe.ltrim(key, -WAKE_TOKENS_KEPT, -1)
    pipe.expire(key, 60)
    pipe.execute()


def _wait_for_message(queue: str, seconds: float) -> None:
    client = _redis()
    if client is None:
        time.sleep(min(seconds, 0.1))
        return
    client.blpop([_wake_key(queue)], timeout=max(0.05, seconds))


def _waiter_enter(queue: str) -> bool:
    client = _redis()
    if client is None:
        return True
    key = f"sandbox:sqs:waiters:{queue}"
    count = client.incr(key)
    client.expire(key, MAX_WAIT_SECONDS + 10)
    if count > MAX_WAITERS:
        client.decr(key)
        return False
    return True


def _waiter_leave(queue: str) -> None:
    client = _redis()
    if client is not None:
        client.decr(f"sandbox:sqs:waiters:{queue}")


# --- messages -----------------------------------------------------------------------
def message_enqueue(queue: str, body: str, *, delay_seconds: float = 0) -> SandboxQueueMessage:
    """Put a message on a queue (the caller's transaction); long polls are woken after commit."""
    message = SandboxQueueMessage.objects.create(
        queue=queue,
        message_id=uuid.uuid4(),
        body=body,
        visible_at=timezone.now() + timedelta(seconds=delay_seconds),
    )
    transaction.on_commit(functools.partial(queue_wake, queue, 1))
    return message


def _claim(queue: str, limit: int, visibility_timeout: int) -> list[SandboxQueueMessage]:
    """Take up to ``limit`` visible messages, hiding each for the visibility timeout under a new handle."""
    with transaction.atomic():
        now = timezone.now()
        messages = list(
            SandboxQueueMessage.objects.select_for_update(skip_locked=True)
            .filter(queue=queue, visible_at__lte=now)
            .order_by("visible_at", "id")[:limit]
        )
        for message in messages:
            message.visible_at = now + timedelta(seconds=visibility_timeout)
            message.receipt_handle = secrets.token_urlsafe(48)
            message.receive_count += 1
        SandboxQueueMessage.objects.bulk_update(messages, ["visible_at", "receipt_handle", "receive_count"])
    return messages


# --- the endpoint -------------------------------------------------------------------
def sqs_error(status: int, code: str, message: str, error_type: str = "") -> JsonResponse:
    response = JsonResponse(
        {"__type": error_type or f"com.amazonaws.sqs#{code}", "message": message},
        status=status,
        content_type=JSON_CONTENT_TYPE,
    )
    response["x-amzn-query-error"] = f"{code};Sender"
    response["x-amzn-RequestId"] = str(uuid.uuid4())
    return response


def _answer(body: dict) -> JsonResponse:
    response = JsonResponse(body, content_type=JSON_CONTENT_TYPE)
    response["x-amzn-RequestId"] = str(uuid.uuid4())
    return response


def _int_param(body: dict, name: str, default: int, low: int, high: int) -> int:
    value = body.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"Value {value} for parameter {name} is invalid. Must be between {low} and {high}.")
    return value


def receive_message(queue: str, body: dict) -> JsonResponse:
    try:
        limit = _int_param(body, "MaxNumberOfMessages", 1, 1, 10)
        wait = _int_param(body, "WaitTimeSeconds", 0, 0, MAX_WAIT_SECONDS)
        visibility = _int_param(body, "VisibilityTimeout", DEFAULT_VISIBILITY_TIMEOUT, 0, 43200)
    except ValueError as error:
        return sqs_error(400, "InvalidParameterValue", str(error))
    deadline = time.monotonic() + wait
    messages = _claim(queue, limit, visibility)
    if not messages and wait and _waiter_enter(queue):
        try:
            while not messages and (left := deadline - time.monotonic()) > 0:
                _wait_for_message(queue, min(left, 1.0))
                messages = _claim(queue, limit, visibility)
        finally:
            _waiter_leave(queue)
    answer = {
        "Messages": [
            {
                "MessageId": str(message.message_id),
                "ReceiptHandle": message.receipt_handle,
                "MD5OfBody": hashlib.md5(message.body.encode()).hexdigest(),  # noqa: S324 - SQS's checksum
                "Body": message.body,
            }
            for message in messages
        ]
    }
    response = _answer(answer if messages else {})
    response.sandbox_items = len(messages)
    return response


def _delete(queue: str, handle) -> bool:
    """SQS answers success for a handle whose message is gone; the sandbox does the same."""
    if not isinstance(handle, str) or not handle:
        raise ValueError("The input receipt handle is invalid.")
    SandboxQueueMessage.objects.filter(queue=queue, receipt_handle=handle).delete()
    return True


def delete_message(queue: str, body: dict) -> JsonResponse:
    try:
        _delete(queue, body.get("ReceiptHandle"))
    except ValueError as error:
        return sqs_error(400, "ReceiptHandleIsInvalid", str(error))
    return _answer({})


def delete_message_batch(queue: str, body: dict) -> JsonResponse:
    entries = body.get("Entries")
    if not isinstance(entries, list) or not entries:
        return sqs_error(400, "EmptyBatchRequest", "There should be at least one DeleteMessageBatchRequestEntry.")
    if len(entries) > 10:
        return sqs_error(400, "TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10.")
    ids = [entry.get("Id") if isinstance(entry, dict) else None for entry in entries]
    if len(set(ids)) != len(ids):
        return sqs_error(400, "BatchEntryIdsNotDistinct", "Id values must be distinct.")
    successful, failed = [], []
    for entry_id, entry in zip(ids, entries, strict=True):
        try:
            _delete(queue, entry.get("ReceiptHandle") if isinstance(entry, dict) else None)
        except ValueError as error:
            failed.append(
                {"Id": entry_id, "SenderFault": True, "Code": "ReceiptHandleIsInvalid", "Message": str(error)}
            )
        else:
            successful.append({"Id": entry_id})
    response = _answer({"Successful": successful, "Failed": failed})
    response.sandbox_items = len(successful)
    return response


ACTIONS = {
    "ReceiveMessage": receive_message,
    "DeleteMessage": delete_message,
    "DeleteMessageBatch": delete_message_batch,
}


@csrf_exempt
def sqs_endpoint(request):
    target = request.headers.get("X-Amz-Target", "")
    action = target.removeprefix(TARGET_PREFIX) if target.startswith(TARGET_PREFIX) else ""
    operation = f"sqs:{action or 'unknown'}"
    response = fault_response(
        PLATFORM, "", operation, lambda delay: sqs_error(400, "RequestThrottled", "Request is throttled.")
    )
    if response is None:
        response = _sqs_answer(request, action)
    items = getattr(response, "sandbox_items", 0)
    if items or response.status_code != 200 or action != "ReceiveMessage":  # empty polls (every second) are not kept
        record_call(PLATFORM, "", operation, request, response.status_code, items=items)
    return response


def _sqs_answer(request, action: str):
    if request.method != "POST":
        return sqs_error(400, "InvalidAction", "The SQS JSON protocol takes POST requests.")
    signed = sigv4.SignedRequest(
        method=request.method,
        path=request.path,
        query=request.META.get("QUERY_STRING", ""),
        headers=dict(request.headers),
        body=request.body,
    )
    try:
        sigv4.verify(signed, {SANDBOX_ACCESS_KEY_ID: SANDBOX_SECRET_ACCESS_KEY}, service="sqs")
    except sigv4.SignatureRefused as refused:
        return sqs_error(refused.status, refused.code, refused.message)
    if request.content_type != JSON_CONTENT_TYPE:
        return sqs_error(400, "InvalidAction", f"Content-Type must be {JSON_CONTENT_TYPE}.")
    handler = ACTIONS.get(action)
    if handler is None:
        return sqs_error(400, "InvalidAction", f"The action {action or '(none)'} is not valid for this endpoint.")
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return sqs_error(400, "SerializationException", "The request body is not valid JSON.")
    if not isinstance(body, dict):
        return sqs_error(400, "SerializationException", "The request body must be a JSON object.")
    queue = queue_key_from_url(body.get("QueueUrl", ""))
    if not queue or not _queue_exists(queue):
        return sqs_error(400, "QueueDoesNotExist", "The specified queue does not exist.")
    return handler(queue, body)
