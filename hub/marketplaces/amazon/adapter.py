"""Amazon SP-API adapter: Orders v0, Listings Items 2021-08-01, LWA tokens.

Account: ``shop_id`` is the selling partner (seller) id, ``region`` the marketplace id (e.g.
ATVPDKIKX0DER); settings: ``lwa_token_url`` (default the real LWA endpoint), ``page_size`` (getOrders
MaxResultsPerPage, default 100, the maximum), ``product_type`` (default PRODUCT), ``fulfillment_channel_code``
(default DEFAULT, i.e. merchant fulfilled), ``order_items_max_wait`` and ``order_items_wait_budget``
(seconds; see ``_order_items``). Credentials: client_id, client_secret, refresh_token,
access_token, access_token_expires_at. Facts and sources: docs/marketplaces/amazon.md.
"""

import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import quote

from ..base import MarketplaceAdapter
from ..errors import ItemError, RequestRejected, ServerError, Throttled
from ..http_errors import PlatformRejected, json_or_none
from ..pages import page_with_details
from ..payload import aware_datetime, optional, required
from ..types import CanonicalOrder, ListingRef, OrderPage, OrderStamp, PushResult, QuantityUpdate, ShipmentPush
from .auth import LwaRefresher, grantless_token
from .errors import raise_for, token_expired
from .notifications import NOTIFICATIONS_SCOPE, ORDER_CHANGE, PAYLOAD_VERSION
from .parsing import order_status, parse_order

# Seller Central carrier codes (confirmShipment carrierCode); anything else goes as "Other" + carrierName.
CARRIER_CODES = {
    code.lower(): code
    for code in [
        "UPS", "USPS", "FedEx", "DHL", "DHL eCommerce", "DPD", "GLS", "Hermes", "Royal Mail", "Japan Post",
        "Yamato Transport", "Sagawa Express", "China Post", "Yanwen", "4PX", "Cainiao", "La Poste", "Deutsche Post",
    ]
}  # fmt: skip
ORDERS_PATH = "/orders/v0/orders"
LISTINGS_PATH = "/listings/2021-08-01/items"
DESTINATIONS_PATH = "/notifications/v1/destinations"
SUBSCRIPTIONS_PATH = "/notifications/v1/subscriptions"


def amazon_timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class AmazonAdapter(MarketplaceAdapter):
    platform = "amazon"
    default_base_url = "https://sellingpartnerapi-na.amazon.com"
    batch_limit = 1  # patchListingsItem addresses one SKU per call
    signs_webhooks = False  # notifications go to SQS/EventBridge, not HTTP

    parse_order = staticmethod(parse_order)
    # per selling partner (docs/marketplaces/amazon.md)
    operation_limits = {"getOrders": (1 / 60, 20), "getOrderItems": (0.5, 30)}

    def __init__(self, account, client=None):
        super().__init__(account, client)
        self.calls = 0
        self.wait_budget = float(account.settings.get("order_items_wait_budget", 60.0))
        # Set by the caller: given order ids, the items the hub already holds for them (from ORDER_CHANGE
        # notifications) as getOrderItems would list them; such orders skip getOrderItems (see list_orders).
        self.order_items_known: Callable[[list[str]], dict[str, list[dict]]] | None = None

    # --- plumbing -------------------------------------------------------------
    @property
    def marketplace_id(self) -> str:
        return self.account.region or self.account.settings.get("marketplace_id") or "ATVPDKIKX0DER"

    def _access_token(self, rejected: str | None = None) -> str:
        return LwaRefresher.access_token(self, rejected)

    def _send(self, method: str, path: str, token: str, params=None, json=None):
        self.calls += 1
        headers = {
            "x-amz-access-token": token,
            "x-amz-date": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
            "user-agent": "inventory-sync-hub/1.0 (Language=Python)",
            "accept": "application/json",
        }
        return self.request(method, self.base_url + path, params=params, json=json, headers=headers)

    def _call(self, method: str, path: str, operation: str, *, params=None, json=None, grantless: str = ""):
        """One SP-API operation; a token the platform calls expired is refreshed once and the call repeated.

        ``grantless``: an application token (``grantless_token``) instead of the seller's.
        """
        token = grantless or self._access_token()
        response = self._send(method, path, token, params, json)
        body = json_or_none(response)
        if not grantless and token_expired(response.status_code, body):
            response = self._send(method, path, self._access_token(rejected=token), params, json)
            body = json_or_none(response)
        if response.status_code in (200, 201, 202, 204):
            if response.status_code != 204 and body is None:
                raise ServerError(f"amazon {operation} ({method} {path}): answer is not JSON")
            return body
        raise_for(response.status_code, response.headers, body, operation, method, path)
        return None  # pragma: no cover

    def _call_waiting(self, method: str, path: str, operation: str, **kwargs):
        settings = self.account.settings
        max_wait = float(settings.get("order_items_max_wait", 2.5))
        while True:
            try:
                return self._call(method, path, operation, **kwargs)
            except Throttled as throttled:
                if throttled.retry_after > max_wait or throttled.retry_after > self.wait_budget:
                    raise
                self.wait_budget -= throttled.retry_after
                time.sleep(throttled.retry_after)

    # --- orders -----------------------------------------------------------------
    def list_orders(self, since: datetime, cursor: str | None = None) -> OrderPage:
        params = {"MarketplaceIds": self.marketplace_id}
        if cursor:
            params["NextToken"] = cursor
        else:
            params["LastUpdatedAfter"] = amazon_timestamp(since)
            params["MaxResultsPerPage"] = int(self.account.settings.get("page_size", 100))
        self.paced("getOrders")  # one call a minute: a pull that would wait longer stops (Throttled) and retries
        body = self._call("GET", ORDERS_PATH, "getOrders", params=params)
        payload = body.get("payload") or {}
        summaries = _orders(payload)
        stamps = [_stamp(order) for order in summaries]
        fresh = self.unknown_orders(stamps)
        known_items = (
            self.order_items_known([s.external_id for s in stamps if s.external_id in fresh])
            if (self.order_items_known and fresh)
            else {}
        )

        def detail(index: int) -> dict:
            order_id = stamps[index].external_id
            items = _items_if_complete(summaries[index], known_items.get(order_id))
            return {**summaries[index], "OrderItems": items if items is not None else self._order_items(order_id)}

        return page_with_details(parse_order, stamps, detail, payload.get("NextToken"), fresh)

    def _order_items(self, order_id) -> list[dict]:
        """getOrderItems for one order. It costs a call per order (0.5/s, burst 30) while a page of orders
        costs one getOrders call (1/min), so a short throttle here is waited out in-process (at most
        ``order_items_max_wait`` s per wait and ``order_items_wait_budget`` s per adapter) rather than
        raised, which would make the caller pull the whole page again."""
        if not order_id:
            raise ServerError("amazon getOrders: an order without AmazonOrderId")
        path = f"{ORDERS_PATH}/{quote(str(order_id), safe='')}/orderItems"
        items, params = [], {}
        while True:
            self.paced("getOrderItems")
            payload = (self._call_waiting("GET", path, "getOrderItems", params=params) or {}).get("payload") or {}
            items += payload.get("OrderItems") or []
            if not payload.get("NextToken"):
                return items
            params = {"NextToken": payload["NextToken"]}

    def get_order(self, external_id: str) -> tuple[CanonicalOrder, dict]:
        path = f"{ORDERS_PATH}/{quote(external_id, safe='')}"
        order = (self._call("GET", path, "getOrder") or {}).get("payload") or {}
        raw = {**order, "OrderItems": self._order_items(order.get("AmazonOrderId") or external_id)}
        return parse_order(raw), raw

    # --- notifications (Notifications API v1) ---------------------------------------
    def notification_destination(self, arn: str, name: str) -> str:
        """The id of the application's destination for the SQS queue ``arn``, created if missing (grantless)."""
        token = grantless_token(self, NOTIFICATIONS_SCOPE)
        existing = self._destination_for(arn, token)
        if existing:
            return existing
        spec = {"name": name, "resourceSpecification": {"sqs": {"arn": arn}}}
        try:
            created = self._call("POST", DESTINATIONS_PATH, "createDestination", json=spec, grantless=token)
        except PlatformRejected as rejected:
            if rejected.status_code != 409:
                raise
            return self._destination_for(arn, token) or ""  # created meanwhile by another worker
        return str(required(created, "payload.destinationId"))

    def _destination_for(self, arn: str, token: str) -> str:
        listed = self._call("GET", DESTINATIONS_PATH, "getDestinations", grantless=token) or {}
        for destination in listed.get("payload") or []:
            if optional(destination, "resource.sqs.arn") == arn:
                return str(destination.get("destinationId", ""))
        return ""

    def order_change_subscription(self, destination_id: str) -> str:
        """The seller's ORDER_CHANGE subscription to ``destination_id``: kept when it exists, replaced when it
        names another destination, created otherwise. Returns its subscription id."""
        path = f"{SUBSCRIPTIONS_PATH}/{ORDER_CHANGE}"
        current = self._subscription(path)
        if current and current.get("destinationId") == destination_id:
            return str(current["subscriptionId"])
        if current:
            token = grantless_token(self, NOTIFICATIONS_SCOPE)
            gone = f"{path}/{quote(str(current['subscriptionId']), safe='')}"
            self._call("DELETE", gone, "deleteSubscriptionById", grantless=token)
        body = {"payloadVersion": PAYLOAD_VERSION, "destinationId": destination_id}
        try:
            created = self._call("POST", path, "createSubscription", json=body)
        except PlatformRejected as rejected:
            if rejected.status_code != 409:
                raise
            current = self._subscription(path)  # created meanwhile by another worker
            return str((current or {}).get("subscriptionId", ""))
        return str(required(created, "payload.subscriptionId"))

    def _subscription(self, path: str) -> dict | None:
        try:
            return (self._call("GET", path, "getSubscription") or {}).get("payload")
        except PlatformRejected as rejected:
            if rejected.status_code == 404:
                return None
            raise

    # --- stock ------------------------------------------------------------------
    def _listing_path(self, seller_sku: str) -> str:
        return f"{LISTINGS_PATH}/{quote(self.account.shop_id, safe='')}/{quote(seller_sku, safe='')}"

    def push_quantities_batch(self, updates: list[QuantityUpdate]) -> PushResult:
        if len(updates) > self.batch_limit:
            raise RequestRejected(f"amazon patchListingsItem: one SKU per call, {len(updates)} given")
        result = PushResult()
        calls_before = self.calls
        for update in updates:
            error = self._patch_quantity(update)
            if error is None:
                result.succeeded.append(update.listing)
            else:
                result.failed.append(error)
        result.calls = self.calls - calls_before
        return result

    def _patch_quantity(self, update: QuantityUpdate) -> ItemError | None:
        listing, settings = update.listing, self.account.settings
        body = {
            "productType": listing.extra.get("product_type") or settings.get("product_type") or "PRODUCT",
            "patches": [
                {
                    "op": "replace",
                    "path": "/attributes/fulfillment_availability",
                    "value": [
                        {
                            "fulfillment_channel_code": settings.get("fulfillment_channel_code") or "DEFAULT",
                            "quantity": update.quantity,
                        }
                    ],
                }
            ],
        }
        params = {"marketplaceIds": self.marketplace_id, "issueLocale": "en_US"}
        try:
            answer = self._call(
                "PATCH", self._listing_path(listing.seller_sku), "patchListingsItem", params=params, json=body
            )
        except PlatformRejected as rejected:
            return ItemError(listing.seller_sku, rejected.code, str(rejected))
        if answer.get("status") in ("ACCEPTED", "VALID"):
            return None
        issue = next(iter(answer.get("issues") or []), {})
        return ItemError(
            listing.seller_sku, str(issue.get("code") or answer.get("status")), str(issue.get("message", ""))[:300]
        )

    def read_quantities(self, listings: list[ListingRef]) -> dict[str, int]:
        channel = self.account.settings.get("fulfillment_channel_code") or "DEFAULT"
        params = {"marketplaceIds": self.marketplace_id, "includedData": "fulfillmentAvailability"}
        quantities = {}
        for listing in listings:
            try:
                item = self._call("GET", self._listing_path(listing.seller_sku), "getListingsItem", params=params)
            except PlatformRejected as rejected:
                if rejected.status_code == 404:
                    continue
                raise
            for availability in item.get("fulfillmentAvailability") or []:
                if availability.get("fulfillmentChannelCode") == channel:
                    quantities[listing.seller_sku] = int(availability.get("quantity") or 0)
        return quantities

    # --- fulfilment -------------------------------------------------------------
    def push_shipment(self, shipment: ShipmentPush) -> None:
        order_id = shipment.external_order_id
        lines = list(shipment.lines)
        if not lines:
            lines = [
                (str(item["OrderItemId"]), int(item.get("QuantityOrdered", 0)) - int(item.get("QuantityShipped", 0)))
                for item in self._order_items(order_id)
            ]
            lines = [(item_id, quantity) for item_id, quantity in lines if quantity > 0]
        carrier_code = CARRIER_CODES.get(shipment.carrier.strip().lower(), "Other")
        package = {
            # a positive number, unique per order: the hub's parcel id, else the shipping time in seconds
            "packageReferenceId": str(shipment.package_id or max(1, int(shipment.shipped_at.timestamp()))),
            "carrierCode": carrier_code,
            "trackingNumber": shipment.tracking_number,
            "shipDate": amazon_timestamp(shipment.shipped_at),
            "orderItems": [{"orderItemId": item_id, "quantity": quantity} for item_id, quantity in lines],
        }
        if carrier_code == "Other":
            package["carrierName"] = shipment.carrier
        if shipment.service:
            package["shippingMethod"] = shipment.service
        path = f"{ORDERS_PATH}/{quote(order_id, safe='')}/shipmentConfirmation"
        self._call(
            "POST", path, "confirmShipment", json={"marketplaceId": self.marketplace_id, "packageDetail": package}
        )


def _items_if_complete(summary: dict, items: list[dict] | None) -> list[dict] | None:
    """Items the hub holds from a notification, when getOrders agrees they are all of the order.

    getOrders counts the order's units (``NumberOfItemsShipped`` + ``NumberOfItemsUnshipped``); only
    when those counts are present and equal the known items' quantities are the items reused, else
    getOrderItems is called. The hub keeps its lines as stored; the pull brings the address and amounts.
    """
    if not items:
        return None
    shipped, unshipped = summary.get("NumberOfItemsShipped"), summary.get("NumberOfItemsUnshipped")
    if not isinstance(shipped, int) or not isinstance(unshipped, int):
        return None
    if shipped + unshipped != sum(int(item.get("QuantityOrdered", 0)) for item in items):
        return None
    return items


def _orders(payload: dict) -> list[dict]:
    orders = payload.get("Orders")
    if not isinstance(orders, list):
        raise ServerError("amazon getOrders: payload.Orders missing")
    return orders


def _stamp(order: dict) -> OrderStamp:
    order_id = order.get("AmazonOrderId")
    if not order_id:
        raise ServerError("amazon getOrders: an order without AmazonOrderId")
    updated = order.get("LastUpdateDate")
    return OrderStamp(
        external_id=str(order_id),
        updated_at=aware_datetime(updated, "LastUpdateDate") if updated else None,
        status=order_status(order),
    )
