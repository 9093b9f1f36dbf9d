"""eBay adapter: Fulfillment API v1 (orders, shipping fulfillments), Inventory API v1 (bulk quantities).

Account: ``shop_id`` is the eBay seller, ``region`` the marketplace id (EBAY_US, EBAY_DE...); settings:
``token_url`` (default {base_url}/identity/v1/oauth2/token), ``scopes``, ``page_size`` (getOrders limit,
default 50, max 200), ``throttle_backoff_seconds`` (wait after a 429 without Retry-After, default 60).
Credentials: client_id, client_secret, refresh_token, access_token, access_token_expires_at.
Listings: ListingRef.seller_sku is the inventory item SKU; ``extra["offer_id"]`` the published offer, if any.
Facts and sources: docs/marketplaces/ebay.md.
"""

import time
from datetime import UTC, datetime
from urllib.parse import quote

from ..base import MarketplaceAdapter
from ..errors import ItemError, RequestRejected, ServerError
from ..http_errors import first_error, json_or_none
from ..pages import order_page
from ..types import CanonicalOrder, ListingRef, OrderPage, PushResult, QuantityUpdate, ShipmentPush
from .auth import EbayRefresher
from .errors import DEFAULT_THROTTLE_BACKOFF, raise_for, token_rejected
from .parsing import parse_order
from .signing import verify_notification

ORDERS_PATH = "/sell/fulfillment/v1/order"
INVENTORY_PATH = "/sell/inventory/v1"
MAX_PAGE_SIZE = 200
PUBLIC_KEY_TTL_SECONDS = 3600
_public_keys: dict[tuple[str, str], tuple[str, float]] = {}  # (base_url, kid) -> (key, fetched at)
# ShippingCarrierCodeType values for common carriers; other names are passed as given.
CARRIER_CODES = {
    name.lower(): code
    for name, code in [
        ("UPS", "UPS"), ("USPS", "USPS"), ("FedEx", "FedEx"), ("DHL", "DHL"), ("Royal Mail", "RoyalMail"),
        ("Deutsche Post", "DeutschePost"), ("DPD", "DPD"), ("Hermes", "Hermes"), ("GLS", "GLS"),
        ("Japan Post", "JapanPost"), ("China Post", "ChinaPost"), ("Yanwen", "Yanwen"), ("4PX", "FourPX"),
    ]
}  # fmt: skip


def ebay_timestamp(value: datetime) -> str:
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


class EbayAdapter(MarketplaceAdapter):
    platform = "ebay"
    default_base_url = "https://api.ebay.com"
    batch_limit = 25  # bulkUpdatePriceQuantity: up to 25 inventory items per call
    signs_webhooks = True  # Notification API pushes carry an ECDSA X-EBAY-SIGNATURE

    parse_order = staticmethod(parse_order)

    def __init__(self, account, client=None):
        super().__init__(account, client)
        self.calls = 0

    @staticmethod
    def verify_webhook(headers: dict, body: bytes, secret: str) -> bool:
        """``secret`` is the public key (PEM, as getPublicKey returns it) for the header's ``kid``."""
        return verify_notification(headers, body, secret)

    # --- plumbing -------------------------------------------------------------
    @property
    def backoff(self) -> float:
        return float(self.account.settings.get("throttle_backoff_seconds", DEFAULT_THROTTLE_BACKOFF))

    def _access_token(self, rejected: str | None = None) -> str:
        return EbayRefresher.access_token(self, rejected)

    def _send(self, method, url, token, params, json):
        self.calls += 1
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "Content-Language": "en-US",
            "X-EBAY-C-MARKETPLACE-ID": self.account.region or "EBAY_US",
        }
        return self.request(method, url, params=params, json=json, headers=headers)

    def _call(self, method: str, path_or_url: str, operation: str, *, params=None, json=None):
        """One call; a token eBay rejects (401, errorId 1001) is refreshed once and the call repeated."""
        url = path_or_url if path_or_url.startswith(("http://", "https://")) else self.base_url + path_or_url
        path = url.split("?", 1)[0].removeprefix(self.base_url)
        token = self._access_token()
        response = self._send(method, url, token, params, json)
        body = json_or_none(response)
        if token_rejected(response.status_code, body):
            response = self._send(method, url, self._access_token(rejected=token), params, json)
            body = json_or_none(response)
        if response.status_code in (200, 201, 204, 207):
            if response.status_code in (200, 207) and body is None:
                raise ServerError(f"ebay {operation} ({method} {path}): answer is not JSON")
            return response, body
        raise_for(response, body, operation, path, self.backoff)
        return None  # pragma: no cover

    # --- orders -----------------------------------------------------------------
    def list_orders(self, since: datetime, cursor: str | None = None) -> OrderPage:
        if cursor:
            if not cursor.startswith(self.base_url + ORDERS_PATH + "?"):
                raise RequestRejected("ebay getOrders: the cursor is not a getOrders page of this account's API")
            _, body = self._call("GET", cursor, "getOrders")
        else:
            page_size = min(int(self.account.settings.get("page_size", 50)), MAX_PAGE_SIZE)
            params = {"filter": f"lastmodifieddate:[{ebay_timestamp(since)}..]", "limit": page_size, "offset": 0}
            _, body = self._call("GET", ORDERS_PATH, "getOrders", params=params)
        raw = body.get("orders") or []
        if not isinstance(raw, list):
            raise ServerError("ebay getOrders: orders is not a list")
        return order_page(parse_order, raw, body.get("next"))

    def get_order(self, external_id: str) -> tuple[CanonicalOrder, dict]:
        _, body = self._call("GET", f"{ORDERS_PATH}/{quote(external_id, safe='')}", "getOrder")
        return parse_order(body), body

    # --- stock ------------------------------------------------------------------
    def push_quantities_batch(self, updates: list[QuantityUpdate]) -> PushResult:
        """One bulkUpdatePriceQuantity call; each SKU's answer carries its own statusCode."""
        requests = []
        for update in updates:
            request = {"sku": update.listing.seller_sku, "shipToLocationAvailability": {"quantity": update.quantity}}
            offer_id = update.listing.extra.get("offer_id")
            if offer_id:
                request["offers"] = [{"offerId": offer_id, "availableQuantity": update.quantity}]
            requests.append(request)
        calls_before = self.calls
        _, body = self._call(
            "POST",
            f"{INVENTORY_PATH}/bulk_update_price_quantity",
            "bulkUpdatePriceQuantity",
            json={"requests": requests},
        )
        failures = {}
        answered = set()
        for answer in body.get("responses") or []:
            sku = str(answer.get("sku", ""))
            answered.add(sku)
            if answer.get("statusCode") != 200 and sku not in failures:
                error = first_error(answer)
                failures[sku] = ItemError(
                    sku,
                    str(error.get("errorId") or answer.get("statusCode")),
                    str(error.get("message") or "")[:300],
                    retryable=int(answer.get("statusCode") or 500) >= 500,
                )
        result = PushResult(calls=self.calls - calls_before)
        for update in updates:
            sku = update.listing.seller_sku
            if sku in failures:
                result.failed.append(failures[sku])
            elif sku in answered:
                result.succeeded.append(update.listing)
            else:
                result.failed.append(ItemError(sku, "no_response", "eBay answered nothing for this SKU", True))
        return result

    def read_quantities(self, listings: list[ListingRef]) -> dict[str, int]:
        """bulkGetInventoryItem, 25 SKUs per call."""
        quantities = {}
        for start in range(0, len(listings), self.batch_limit):
            chunk = [{"sku": listing.seller_sku} for listing in listings[start : start + self.batch_limit]]
            _, body = self._call(
                "POST", f"{INVENTORY_PATH}/bulk_get_inventory_item", "bulkGetInventoryItem", json={"requests": chunk}
            )
            for answer in body.get("responses") or []:
                if answer.get("statusCode") == 200:
                    item = answer.get("inventoryItem") or {}
                    quantity = (item.get("availability") or {}).get("shipToLocationAvailability", {}).get("quantity")
                    quantities[str(answer.get("sku"))] = int(quantity or 0)
        return quantities

    # --- fulfilment -------------------------------------------------------------
    def push_shipment(self, shipment: ShipmentPush) -> None:
        order_id = shipment.external_order_id
        lines = list(shipment.lines)
        if not lines:
            lines = self._unshipped_lines(order_id)
        body = {
            "lineItems": [{"lineItemId": line_id, "quantity": quantity} for line_id, quantity in lines],
            "shippedDate": ebay_timestamp(shipment.shipped_at),
            "shippingCarrierCode": CARRIER_CODES.get(shipment.carrier.strip().lower(), shipment.carrier),
            "trackingNumber": shipment.tracking_number,
        }
        path = f"{ORDERS_PATH}/{quote(order_id, safe='')}/shipping_fulfillment"
        self._call("POST", path, "createShippingFulfillment", json=body)

    def _unshipped_lines(self, order_id: str) -> list[tuple[str, int]]:
        """Each line's quantity less what earlier shipping fulfillments (getShippingFulfillments) carried."""
        _, order = self.get_order(order_id)
        path = f"{ORDERS_PATH}/{quote(order_id, safe='')}/shipping_fulfillment"
        _, body = self._call("GET", path, "getShippingFulfillments")
        shipped: dict[str, int] = {}
        for fulfillment in body.get("fulfillments") or []:
            for line in fulfillment.get("lineItems") or []:
                shipped[str(line.get("lineItemId"))] = shipped.get(str(line.get("lineItemId")), 0) + int(
                    line.get("quantity") or 0
                )
        lines = [(str(item["lineItemId"]), int(item["quantity"])) for item in order.get("lineItems", [])]
        return [
            (line_id, quantity - shipped.get(line_id, 0))
            for line_id, quantity in lines
            if quantity > shipped.get(line_id, 0)
        ]

    # --- notifications ----------------------------------------------------------
    def public_key(self, key_id: str) -> str:
        """getPublicKey for a push's ``kid``, cached an hour as eBay asks."""
        cached = _public_keys.get((self.base_url, key_id))
        if cached and time.monotonic() - cached[1] < PUBLIC_KEY_TTL_SECONDS:
            return cached[0]
        path = f"/commerce/notification/v1/public_key/{quote(key_id, safe='')}"
        _, body = self._call("GET", path, "getPublicKey")
        _public_keys[(self.base_url, key_id)] = (str(body.get("key", "")), time.monotonic())
        return _public_keys[(self.base_url, key_id)][0]
