"""Shopify Admin API adapter: REST for orders and fulfillment orders, GraphQL for inventory.

Facts and sources: docs/marketplaces/shopify.md. Account settings (non-secret):
``api_version`` (default ``API_VERSION``; 2026-04 or newer, for ``changeFromQuantity``),
``location_id`` (the Shopify location whose ``available`` quantity the hub sets; a listing's
``extra["location_id"]`` overrides it), ``notify_customer`` (default True),
``reference_document_uri`` (shown in the merchant's inventory history).
"""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from ..base import MarketplaceAdapter
from ..errors import AuthFailed, InvalidPayload, ItemError, RequestRejected, ServerError
from ..types import CanonicalOrder, ListingRef, OrderPage, PushResult, QuantityUpdate, ShipmentPush
from . import auth, graphql
from .errors import json_body, raise_for_graphql_errors, raise_for_status
from .parsing import parse_order as parse_shopify_order
from .signing import verify_webhook as verify_shopify_webhook

API_VERSION = "2026-10"
MIN_API_VERSION = "2026-04"
PAGE_SIZE = 250  # orders.json ``limit`` maximum
DEFAULT_REFERENCE_URI = "gid://inventory-sync-hub/StockSync/available"
RETRYABLE_USER_ERRORS = {"CHANGE_FROM_QUANTITY_STALE", "IDEMPOTENCY_CONCURRENT_REQUEST"}
OPEN_FULFILLMENT_ORDER = {"open", "in_progress"}


def shop_handle(shop_id: str) -> str:
    """``acme`` from ``acme`` or ``acme.myshopify.com``."""
    return shop_id.strip().removesuffix(".myshopify.com")


def next_page_info(link_header: str) -> str | None:
    """The ``page_info`` of the ``rel="next"`` URL in a ``Link`` header, used verbatim."""
    for part in link_header.split(","):
        url_part, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", ""):
            query = parse_qs(urlsplit(url_part.strip().strip("<>")).query)
            values = query.get("page_info")
            return values[0] if values else None
    return None


class ShopifyAdapter(MarketplaceAdapter):
    platform = "shopify"
    default_base_url = "https://{shop}.myshopify.com"
    batch_limit = graphql.MAX_INPUT_ARRAY
    signs_webhooks = True

    def __init__(self, account, client=None):
        super().__init__(account, client)
        self.base_url = self.base_url.replace("{shop}", shop_handle(account.shop_id))
        self.api_version = str(account.settings.get("api_version") or API_VERSION)
        if self.api_version != "unstable" and self.api_version < MIN_API_VERSION:
            raise RequestRejected(f"shopify: API version {self.api_version} is older than {MIN_API_VERSION}")
        self.call_limit: tuple[int, int] | None = None  # last X-Shopify-Shop-Api-Call-Limit (used, size)
        self.graphql_cost: dict | None = None  # last extensions.cost of a GraphQL answer

    # --- transport ------------------------------------------------------------
    def _access_token(self) -> str:
        credentials = self.account.credentials.load()
        if auth.is_expired(credentials):
            credentials = auth.refreshed_credentials(self, stale_token=None)
        token = credentials.get("access_token")
        if not token:
            raise AuthFailed("shopify: the account has no access token")
        return token

    def _admin(self, method: str, path: str, **kwargs):
        """One Admin API call on ``/admin/api/<version>/<path>``; a 401 refreshes the token once and retries."""
        url = f"{self.base_url}/admin/api/{self.api_version}/{path}"
        what = f"{method} /admin/api/{self.api_version}/{path}"
        token = self._access_token()
        response = self._call(method, url, token, **kwargs)
        if response.status_code == 401 and auth.can_refresh(self.account.credentials.load()):
            token = auth.refreshed_credentials(self, stale_token=token)["access_token"]
            response = self._call(method, url, token, **kwargs)
        limit = response.headers.get("X-Shopify-Shop-Api-Call-Limit", "")
        used, _, size = limit.partition("/")
        if used.isdigit() and size.isdigit():
            self.call_limit = (int(used), int(size))
        raise_for_status(response, what)
        return json_body(response, what), response

    def _call(self, method: str, url: str, token: str, **kwargs):
        headers = {"X-Shopify-Access-Token": token, "Accept": "application/json"}
        return self.request(method, url, headers=headers, **kwargs)

    def _graphql(self, document: str, variables: dict, operation: str) -> dict:
        body, _ = self._admin("POST", "graphql.json", json={"query": document, "variables": variables})
        self.graphql_cost = (body.get("extensions") or {}).get("cost")
        raise_for_graphql_errors(body, f"GraphQL {operation}")
        data = body.get("data")
        if not isinstance(data, dict):
            raise ServerError(f"shopify: GraphQL {operation} answered without data")
        return data

    # --- orders ---------------------------------------------------------------
    def list_orders(self, since: datetime, cursor: str | None = None) -> OrderPage:
        if cursor:  # only limit (and fields) may accompany page_info
            params = {"limit": PAGE_SIZE, "page_info": cursor}
        else:
            if since.tzinfo is None:
                raise ValueError("since must be an aware datetime")
            params = {"status": "any", "updated_at_min": since.astimezone(UTC).isoformat(), "limit": PAGE_SIZE}
        body, response = self._admin("GET", "orders.json", params=params)
        raw = body.get("orders")
        if not isinstance(raw, list):
            raise ServerError("shopify: orders.json answered without an orders list")
        orders = [self._parse_listed(payload) for payload in raw]
        stamps = [order.updated_at or order.created_at for order in orders]
        return OrderPage(
            orders=orders,
            raw=raw,
            next_cursor=next_page_info(response.headers.get("Link", "")),
            high_water_mark=max(stamps) if stamps else None,
        )

    @staticmethod
    def _parse_listed(payload) -> CanonicalOrder:
        try:
            return parse_shopify_order(payload)
        except InvalidPayload as error:
            order_id = payload.get("id") if isinstance(payload, dict) else None
            raise InvalidPayload(error.field, f"shopify order {order_id}: {error}") from error

    def get_order(self, external_id: str) -> tuple[CanonicalOrder, dict]:
        order_id = graphql.numeric_id(external_id, "Order")
        body, _ = self._admin("GET", f"orders/{order_id}.json")
        payload = body.get("order")
        if not isinstance(payload, dict):
            raise ServerError("shopify: orders/{id}.json answered without an order")
        return parse_shopify_order(payload), payload

    # --- stock ----------------------------------------------------------------
    def _location(self, listing: ListingRef) -> str:
        return str(listing.extra.get("location_id") or self.account.settings.get("location_id") or "")

    def push_quantities_batch(self, updates: list[QuantityUpdate]) -> PushResult:
        """One ``inventorySetQuantities`` call, compare-and-set on ``changeFromQuantity``.

        Shopify answers item problems as ``userErrors`` whose ``field`` is
        ``["input", "quantities", "<i>", ...]``. When it applied nothing (no
        ``inventoryAdjustmentGroup``), the items without errors are sent again without
        the failed ones, so one bad item never holds back the rest.
        """
        result = PushResult()
        pending = []
        for update in updates:
            location = self._location(update.listing)
            if not update.listing.inventory_id or not location:
                result.failed.append(
                    ItemError(update.listing.seller_sku, "MISSING_ID", "listing has no inventory item or location id")
                )
                continue
            item = {
                "inventoryItemId": graphql.gid("InventoryItem", update.listing.inventory_id),
                "locationId": graphql.gid("Location", location),
                "quantity": update.quantity,
                "changeFromQuantity": update.expected_quantity,  # null opts out of the check, explicitly
            }
            pending.append((update, item))
        while pending:
            payload = self._set_quantities([item for _, item in pending])
            result.calls += 1
            errors = payload.get("userErrors") or []
            if not errors:
                result.succeeded += [update.listing for update, _ in pending]
                break
            by_index = {}
            for error in errors:
                index = graphql.quantity_index(error.get("field"))
                by_index.setdefault(index if index is not None and index < len(pending) else None, error)
            if None in by_index:  # an error about the whole input: every item failed alike
                error = by_index[None]
                result.failed += [self._item_error(update, error) for update, _ in pending]
                break
            result.failed += [self._item_error(pending[index][0], error) for index, error in sorted(by_index.items())]
            rest = [entry for index, entry in enumerate(pending) if index not in by_index]
            if payload.get("inventoryAdjustmentGroup") is not None:  # the rest were applied
                result.succeeded += [update.listing for update, _ in rest]
                break
            pending = rest
        return result

    def _set_quantities(self, quantities: list[dict]) -> dict:
        variables = {
            "input": {
                "name": "available",
                "reason": "correction",
                "referenceDocumentUri": self.account.settings.get("reference_document_uri") or DEFAULT_REFERENCE_URI,
                "quantities": quantities,
            }
        }
        data = self._graphql(graphql.INVENTORY_SET_QUANTITIES, variables, "inventorySetQuantities")
        payload = data.get("inventorySetQuantities")
        if not isinstance(payload, dict):
            raise ServerError("shopify: inventorySetQuantities answered without a payload")
        return payload

    @staticmethod
    def _item_error(update: QuantityUpdate, error: dict) -> ItemError:
        code = str(error.get("code") or "USER_ERROR")
        return ItemError(
            update.listing.seller_sku, code, str(error.get("message", ""))[:300], code in RETRYABLE_USER_ERRORS
        )

    def read_quantities(self, listings: list[ListingRef]) -> dict[str, int]:
        """``available`` per listing at its location, through ``nodes`` (250 ids per query)."""
        by_location: dict[str, dict[str, list[str]]] = {}
        for listing in listings:
            location = self._location(listing)
            if listing.inventory_id and location:
                item = graphql.gid("InventoryItem", listing.inventory_id)
                by_location.setdefault(graphql.gid("Location", location), {}).setdefault(item, []).append(
                    listing.seller_sku
                )
        quantities: dict[str, int] = {}
        for location, items in by_location.items():
            ids = list(items)
            for start in range(0, len(ids), graphql.MAX_INPUT_ARRAY):
                chunk = ids[start : start + graphql.MAX_INPUT_ARRAY]
                data = self._graphql(graphql.INVENTORY_LEVELS, {"ids": chunk, "locationId": location}, "nodes")
                for node in data.get("nodes") or []:
                    level = (node or {}).get("inventoryLevel")
                    if not level:
                        continue  # unknown item, or not stocked at that location
                    available = next(
                        (q["quantity"] for q in level.get("quantities", []) if q.get("name") == "available"), None
                    )
                    if isinstance(available, int):
                        for seller_sku in items.get(node.get("id"), []):
                            quantities[seller_sku] = available
        return quantities

    # --- fulfilment -----------------------------------------------------------
    def push_shipment(self, shipment: ShipmentPush) -> None:
        """Create a fulfillment with tracking on the order's open fulfillment orders.

        Legacy ``POST /orders/{id}/fulfillments.json`` answers 404 in current versions.
        A shipment already recorded with this tracking number is not sent twice.
        """
        order_id = graphql.numeric_id(shipment.external_order_id, "Order")
        body, _ = self._admin("GET", f"orders/{order_id}/fulfillment_orders.json")
        open_orders = [
            fulfillment_order
            for fulfillment_order in body.get("fulfillment_orders") or []
            if fulfillment_order.get("status") in OPEN_FULFILLMENT_ORDER
            and "create_fulfillment" in (fulfillment_order.get("supported_actions") or [])
        ]
        if not open_orders:
            if self._tracking_recorded(order_id, shipment.tracking_number):
                return
            raise RequestRejected(f"shopify: order {order_id} has no fulfillment order open for fulfillment")
        fulfillment = {
            "line_items_by_fulfillment_order": _line_items_by_fulfillment_order(open_orders, shipment),
            "tracking_info": {"number": shipment.tracking_number, "company": shipment.carrier},
            "notify_customer": bool(self.account.settings.get("notify_customer", True)),
        }
        self._admin("POST", "fulfillments.json", json={"fulfillment": fulfillment})

    def _tracking_recorded(self, order_id: str, tracking_number: str) -> bool:
        body, _ = self._admin("GET", f"orders/{order_id}.json")
        for fulfillment in (body.get("order") or {}).get("fulfillments") or []:
            numbers = set(fulfillment.get("tracking_numbers") or []) | {fulfillment.get("tracking_number")}
            if tracking_number in numbers:
                return True
        return False

    # --- payloads -------------------------------------------------------------
    @staticmethod
    def parse_order(payload: dict) -> CanonicalOrder:
        return parse_shopify_order(payload)

    @staticmethod
    def verify_webhook(headers: dict, body: bytes, secret: str) -> bool:
        return verify_shopify_webhook(headers, body, secret)


def _line_items_by_fulfillment_order(open_orders: list[dict], shipment: ShipmentPush) -> list[dict]:
    """The whole of each open fulfillment order, or the shipment's lines spread over them."""
    if not shipment.lines:
        return [{"fulfillment_order_id": fulfillment_order["id"]} for fulfillment_order in open_orders]
    wanted = {}
    for line_id, quantity in shipment.lines:
        wanted[str(line_id)] = wanted.get(str(line_id), 0) + quantity
    groups = []
    for fulfillment_order in open_orders:
        items = []
        for line in fulfillment_order.get("line_items") or []:
            line_id = str(line.get("line_item_id"))
            take = min(wanted.get(line_id, 0), int(line.get("fulfillable_quantity") or 0))
            if take > 0:
                items.append({"id": line["id"], "quantity": take})
                wanted[line_id] -= take
        if items:
            groups.append({"fulfillment_order_id": fulfillment_order["id"], "fulfillment_order_line_items": items})
    short = {line_id: quantity for line_id, quantity in wanted.items() if quantity > 0}
    if short:
        raise RequestRejected(f"shopify: order {shipment.external_order_id}: more than fulfillable of lines {short}")
    return groups
