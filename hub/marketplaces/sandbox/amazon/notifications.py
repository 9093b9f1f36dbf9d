"""Notifications API v1 (models/notifications-api-model/notifications.json): destinations and subscriptions.

- ``POST /notifications/v1/destinations`` createDestination (grantless) ``{"name", "resourceSpecification":
  {"sqs": {"arn"}}}`` -> ``{"payload": {"name", "destinationId", "resource": {"sqs": {"arn"}}}}``;
  ``GET`` getDestinations (grantless) -> ``{"payload": [Destination]}``.
- ``POST /notifications/v1/subscriptions/{type}`` createSubscription (seller) ``{"payloadVersion",
  "destinationId"}`` -> ``{"payload": {"subscriptionId", "payloadVersion", "destinationId"}}``; ``GET``
  getSubscription -> the same, or 404 when the seller has none.
- ``DELETE /notifications/v1/subscriptions/{type}/{subscriptionId}`` deleteSubscriptionById (grantless).

A second destination for the same ARN and a second subscription of the same type answer 409
(``Conflict``; the wording is **UNVERIFIED**). Only ORDER_CHANGE (payload version 1.0) is delivered.
"""

import json
import re
import uuid

from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from ..models import SandboxDestination, SandboxSubscription
from .api import sp_error, sp_operation
from .events import PAYLOAD_VERSIONS

SQS_ARN = re.compile(r"^arn:aws:sqs:\S+:\S+:\S+$")


def _body(request):
    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _destination(destination: SandboxDestination) -> dict:
    return {
        "name": destination.name,
        "destinationId": destination.destination_id,
        "resource": {"sqs": {"arn": destination.arn}},
    }


def _subscription(subscription: SandboxSubscription) -> dict:
    return {
        "subscriptionId": subscription.subscription_id,
        "payloadVersion": subscription.payload_version,
        "destinationId": subscription.destination.destination_id,
    }


def _application(shop) -> str:
    return shop.secrets.get("client_id", "")


@sp_operation("createDestination", grantless=True)
def create_destination(request, shop):
    body = _body(request)
    if body is None:
        return sp_error(400, "InvalidInput", "The request body is not a JSON object.")
    name = body.get("name")
    arn = ((body.get("resourceSpecification") or {}).get("sqs") or {}).get("arn")
    if not isinstance(name, str) or not name or len(name) > 256:
        return sp_error(400, "InvalidInput", "name is required (at most 256 characters).")
    if not isinstance(arn, str) or not SQS_ARN.match(arn) or len(arn) > 1000:
        return sp_error(400, "InvalidInput", "resourceSpecification.sqs.arn must be an SQS queue ARN.")
    try:
        with transaction.atomic():
            destination = SandboxDestination.objects.create(
                application=_application(shop), destination_id=str(uuid.uuid4()), name=name, arn=arn
            )
    except IntegrityError:
        return sp_error(409, "Conflict", "A destination for this resource already exists.")
    return JsonResponse({"payload": _destination(destination)})


@sp_operation("getDestinations", grantless=True)
def get_destinations(request, shop):
    destinations = SandboxDestination.objects.filter(application=_application(shop)).order_by("id")
    return JsonResponse({"payload": [_destination(destination) for destination in destinations]})


@csrf_exempt
def destinations(request):
    if request.method == "POST":
        return create_destination(request)
    if request.method == "GET":
        return get_destinations(request)
    return sp_error(405, "InvalidInput", "Use GET or POST.")


def _unknown_type(notification_type: str):
    if notification_type in PAYLOAD_VERSIONS:
        return None
    return sp_error(400, "InvalidInput", f"The sandbox does not deliver {notification_type} notifications.")


@sp_operation("createSubscription")
def create_subscription(request, shop, notification_type):
    if error := _unknown_type(notification_type):
        return error
    body = _body(request)
    if body is None:
        return sp_error(400, "InvalidInput", "The request body is not a JSON object.")
    if body.get("payloadVersion") != PAYLOAD_VERSIONS[notification_type]:
        return sp_error(400, "InvalidInput", f"payloadVersion must be {PAYLOAD_VERSIONS[notification_type]}.")
    destination = SandboxDestination.objects.filter(
        application=_application(shop), destination_id=str(body.get("destinationId", ""))
    ).first()
    if destination is None:
        return sp_error(400, "InvalidInput", "destinationId does not name a destination of this application.")
    try:
        with transaction.atomic():
            subscription = SandboxSubscription.objects.create(
                shop=shop,
                notification_type=notification_type,
                subscription_id=str(uuid.uuid4()),
                payload_version=body["payloadVersion"],
                destination=destination,
            )
    except IntegrityError:
        return sp_error(409, "Conflict", f"A subscription for {notification_type} already exists.")
    return JsonResponse({"payload": _subscription(subscription)})


@sp_operation("getSubscription")
def get_subscription(request, shop, notification_type):
    if error := _unknown_type(notification_type):
        return error
    subscription = (
        SandboxSubscription.objects.filter(shop=shop, notification_type=notification_type)
        .select_related("destination")
        .first()
    )
    if subscription is None:
        return sp_error(404, "NotFound", "The resource specified does not exist.")
    return JsonResponse({"payload": _subscription(subscription)})


@csrf_exempt
def subscriptions(request, notification_type):
    if request.method == "POST":
        return create_subscription(request, notification_type=notification_type)
    if request.method == "GET":
        return get_subscription(request, notification_type=notification_type)
    return sp_error(405, "InvalidInput", "Use GET or POST.")


@sp_operation("deleteSubscriptionById", grantless=True)
def delete_subscription(request, shop, notification_type, subscription_id):
    if request.method != "DELETE":
        return sp_error(405, "InvalidInput", "Use DELETE.")
    deleted, _ = SandboxSubscription.objects.filter(
        notification_type=notification_type,
        subscription_id=subscription_id,
        destination__application=_application(shop),
    ).delete()
    if not deleted:
        return sp_error(404, "NotFound", "The resource specified does not exist.")
    return JsonResponse({})
