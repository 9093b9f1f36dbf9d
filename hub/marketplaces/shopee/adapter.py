"""Shopee Open Platform v2, one shop: signed calls, token refresh, orders, stock, shipping.

Credentials (encrypted on the account): ``partner_id``, ``partner_key``, ``access_token``,
``refresh_token``, ``expire_at`` (Unix seconds). Settings: ``page_size`` (1-100),
``location_id`` (multi-warehouse sellers), ``throttle_retry_seconds``.
"""

import json
import time
from collections import defaultdict
from datetime import datetime

from ..base import MarketplaceAdapter
from ..batching import group_by_listing, push_in_batches
from ..errors import AlreadyShipped, AuthFailed, ItemError, RequestRejected, ServerError, Throttled
from ..http_errors import json_object, retry_after
from ..pages import order_page
from ..tokens import TokenRefreshing
from ..types import CanonicalOrder, ListingRef, OrderPage, PushResult, QuantityUpdate, ShipmentPush
from . import redaction
from .parsing import parse_order
from .signing import api_sign, verify_push

API = "/api/v2"
ORDER_WINDOW_SECONDS = 15 * 24 * 3600  # get_order_list refuses time_to - time_from over 15 days
MAX_PAGE_SIZE = 100
DETAIL_LIMIT = 50  # order_sn_list of get_order_detail: 1-50
DEFAULT_THROTTLE_SECONDS = 1.0  # Shopee sends no Retry-After; back off this long, then retry
DETAIL_FIELDS = "buyer_username,recipient_address,item_list,total_amount,pay_time,package_list,cancel_reason"
AUTH_ERRORS = {"error_auth", "invalid_access_token", "invalid_acceess_token", "error_sign", "error_permission"}
THROTTLE_ERRORS = {"error_too_many_request", "error_rate_limit", "too_many_request"}

redaction.install()  # the token and sign travel in the query string, which httpx logs at INFO


class ShopeeAdapter(TokenRefreshing, MarketplaceAdapter):
    platform = "shopee"
    # ship_order once per order with one tracking number (without split_order packages); later calls are refused
    one_tracking_number_per_order = True
    default_base_url = "https://partner.shopeemobile.com"
    batch_limit = 50  # models per update_stock call (all of one item)
    signs_webhooks = True

    # --- transport ------------------------------------------------------------
    def _shop_id_value(self):
        shop_id = self.account.shop_id
        return int(shop_id) if str(shop_id).isdigit() else shop_id

    def _send(self, method: str, path: str, params: dict | None, body: dict | None, credentials: dict | None):
        """One signed call; returns ``(http_status, json_body)``, raising ServerError for unreadable answers."""
        creds = credentials or self.account.credentials.load()
        try:
            partner_id, partner_key = creds["partner_id"], creds["partner_key"]
        except KeyError:
            raise AuthFailed("shopee: account credentials lack partner_id/partner_key") from None
        timestamp = int(time.time())
        common = {"partner_id": partner_id, "timestamp": timestamp}
        if path.startswith(f"{API}/auth/"):
            common["sign"] = api_sign(partner_key, partner_id, path, timestamp)
        else:
            token = creds.get("access_token", "")
            common.update(access_token=token, shop_id=self.account.shop_id)
            common["sign"] = api_sign(partner_key, partner_id, path, timestamp, token, self.account.shop_id)
        response = self.request(
            method, f"{self.base_url}{path}", params={**(params or {}), **common}, json=body if body else None
        )
        if response.status_code >= 500:
            raise ServerError(f"shopee: HTTP {response.status_code} from {path}")
        return response, json_object(response, "shopee", path)

    def _raise_for_error(self, path: str, response, data: dict) -> None:
        error = str(data.get("error") or "")
        if not error and response.status_code < 400:
            return
        message = str(data.get("message") or "")[:200]
        if response.status_code == 429 or error in THROTTLE_ERRORS:
            default = float(self.account.settings.get("throttle_retry_seconds", DEFAULT_THROTTLE_SECONDS))
            raise Throttled(retry_after(response.headers, default), f"shopee: {error or 'HTTP 429'} on {path}")
        if error in AUTH_ERRORS or response.status_code in (401, 403):
            raise AuthFailed(f"shopee: {error or response.status_code} on {path}: {message}")
        if error == "error_server":
            raise ServerError(f"shopee: {error} on {path}: {message}")
        raise RequestRejected(f"shopee: {error or response.status_code} on {path}: {message}")

    def _call(self, method: str, path: str, *, params: dict | None = None, body: dict | None = None) -> dict:
        """A Shop API call with a valid token: refresh ahead of expiry, and once more on ``error_auth``."""
        credentials = self._fresh_credentials()
        response, data = self._send(method, path, params, body, credentials)
        if data.get("error") in ("error_auth", "invalid_access_token", "invalid_acceess_token"):
            credentials = self._refresh(stale_token=credentials.get("access_token"))
            response, data = self._send(method, path, params, body, credentials)
        self._raise_for_error(path, response, data)
        return data

    # --- tokens -----------------------------------------------------------------
    def _request_token(self, current: dict) -> dict:
        path = f"{API}/auth/access_token/get"
        body = {
            "refresh_token": current["refresh_token"],
            "partner_id": current.get("partner_id"),
            "shop_id": self._shop_id_value(),
        }
        response, data = self._send("POST", path, None, body, current)
        self._raise_for_error(path, response, data)
        try:
            return {
                "access_token": data["access_token"],
                "refresh_token": data["refresh_token"],
                "expire_at": int(time.time()) + int(data["expire_in"]),
            }
        except (KeyError, TypeError, ValueError):
            raise ServerError(f"shopee: token answer from {path} lacks access_token/refresh_token/expire_in") from None

    # --- orders -----------------------------------------------------------------
    def list_orders(self, since: datetime, cursor: str | None = None) -> OrderPage:
        """Orders updated since ``since``, in 15-day windows; the cursor carries window and Shopee cursor."""
        if cursor:
            try:
                state = json.loads(cursor)
                window_from, window_to, end, page_cursor = state["f"], state["t"], state["e"], state["c"]
            except (ValueError, KeyError, TypeError):
                raise RequestRejected("shopee: malformed order cursor") from None
        else:
            end = int(time.time())
            window_from = min(int(since.timestamp()), end)
            window_to = min(window_from + ORDER_WINDOW_SECONDS, end)
            page_cursor = ""
        page_size = max(1, min(int(self.account.settings.get("page_size", MAX_PAGE_SIZE)), MAX_PAGE_SIZE))
        data = self._call(
            "GET",
            f"{API}/order/get_order_list",
            params={
                "time_range_field": "update_time",
                "time_from": window_from,
                "time_to": window_to,
                "page_size": page_size,
                "cursor": page_cursor,
                "response_optional_fields": "order_status",
            },
        )
        response = data.get("response") or {}
        order_sns = [str(entry["order_sn"]) for entry in response.get("order_list") or []]
        raw = self._order_details(order_sns)
        if response.get("more"):
            next_state = {"f": window_from, "t": window_to, "e": end, "c": str(response.get("next_cursor") or "")}
        elif window_to < end:
            next_state = {"f": window_to, "t": min(window_to + ORDER_WINDOW_SECONDS, end), "e": end, "c": ""}
        else:
            next_state = None
        return order_page(parse_order, raw, json.dumps(next_state, separators=(",", ":")) if next_state else None)

    def _order_details(self, order_sns: list[str]) -> list[dict]:
        found: dict[str, dict] = {}
        for start in range(0, len(order_sns), DETAIL_LIMIT):
            chunk = order_sns[start : start + DETAIL_LIMIT]
            data = self._call(
                "GET",
                f"{API}/order/get_order_detail",
                params={"order_sn_list": ",".join(chunk), "response_optional_fields": DETAIL_FIELDS},
            )
            for payload in (data.get("response") or {}).get("order_list") or []:
                if isinstance(payload, dict) and payload.get("order_sn"):
                    found[str(payload["order_sn"])] = payload
        return [found[order_sn] for order_sn in order_sns if order_sn in found]

    def get_order(self, external_id: str) -> tuple[CanonicalOrder, dict]:
        raw = self._order_details([str(external_id)])
        if not raw:
            raise RequestRejected(f"shopee: order {external_id} not found")
        return parse_order(raw[0]), raw[0]

    # --- stock ------------------------------------------------------------------
    def push_quantities(self, updates) -> PushResult:
        """Group by item (update_stock takes one item_id), then 50 models per call."""
        batches = [
            item_updates[start : start + self.batch_limit]
            for item_updates in group_by_listing(updates).values()
            for start in range(0, len(item_updates), self.batch_limit)
        ]
        return push_in_batches(self.push_quantities_batch, batches)

    def push_quantities_batch(self, updates: list[QuantityUpdate]) -> PushResult:
        result = PushResult()
        # item -> model -> its updates; the last one's quantity is pushed, all share the outcome
        by_item: dict[int, dict[int, list[QuantityUpdate]]] = defaultdict(lambda: defaultdict(list))
        for update in updates:
            try:
                item_id, model_id = int(update.listing.listing_id), int(update.listing.variant_id or 0)
            except ValueError:
                result.failed.append(
                    ItemError(update.listing.seller_sku, "missing_ids", "listing lacks a numeric item_id/model_id")
                )
                continue
            by_item[item_id][model_id].append(update)
        location_id = self.account.settings.get("location_id")
        for item_id, models in by_item.items():
            model_ids = list(models)
            for start in range(0, len(model_ids), self.batch_limit):
                chunk = model_ids[start : start + self.batch_limit]
                stock_list = []
                for model_id in chunk:
                    seller_stock = {"stock": max(0, models[model_id][-1].quantity)}
                    if location_id:
                        seller_stock["location_id"] = location_id
                    stock_list.append({"model_id": model_id, "seller_stock": [seller_stock]})
                data = self._call(
                    "POST", f"{API}/product/update_stock", body={"item_id": item_id, "stock_list": stock_list}
                )
                result.calls += 1
                self._collect_stock_result(data.get("response") or {}, models, chunk, result)
        return result

    @staticmethod
    def _collect_stock_result(response: dict, models: dict, chunk: list[int], result: PushResult) -> None:
        failures = {}
        for failure in response.get("failure_list") or []:
            failures[int(failure.get("model_id") or 0)] = str(failure.get("failed_reason") or "update failed")
        succeeded = {int(entry.get("model_id") or 0) for entry in response.get("success_list") or []}
        for model_id in chunk:
            for listing in (update.listing for update in models[model_id]):
                if model_id in failures:
                    result.failed.append(ItemError(listing.seller_sku, "shopee.update_stock", failures[model_id]))
                elif model_id in succeeded:
                    result.succeeded.append(listing)
                else:
                    result.failed.append(
                        ItemError(listing.seller_sku, "shopee.no_result", "no result for this model", retryable=True)
                    )

    def read_quantities(self, listings: list[ListingRef]) -> dict[str, int]:
        quantities: dict[str, int] = {}
        for item_id, item_listings in group_by_listing(listings).items():
            data = self._call("GET", f"{API}/product/get_model_list", params={"item_id": item_id})
            stock_by_model = {}
            for model in (data.get("response") or {}).get("model") or []:
                seller_stock = ((model.get("stock_info_v2") or {}).get("seller_stock")) or []
                stock_by_model[str(model.get("model_id"))] = sum(int(entry.get("stock") or 0) for entry in seller_stock)
            for listing in item_listings:
                if str(listing.variant_id or 0) in stock_by_model:
                    quantities[listing.seller_sku] = stock_by_model[str(listing.variant_id or 0)]
        return quantities

    # --- fulfilment ---------------------------------------------------------------
    def push_shipment(self, shipment: ShipmentPush) -> None:
        """Ship with the hub's own carrier: ``non_integrated`` (or ``dropoff``) with our tracking number."""
        order_sn = shipment.external_order_id
        data = self._call("GET", f"{API}/logistics/get_shipping_parameter", params={"order_sn": order_sn})
        info_needed = (data.get("response") or {}).get("info_needed") or {}
        if "non_integrated" in info_needed:
            body = {"order_sn": order_sn, "non_integrated": {"tracking_number": shipment.tracking_number}}
        elif "dropoff" in info_needed and "tracking_number" in (info_needed.get("dropoff") or []):
            body = {"order_sn": order_sn, "dropoff": {"tracking_number": shipment.tracking_number}}
        else:
            raise RequestRejected(
                f"shopee: order {order_sn} ships on an integrated channel ({', '.join(info_needed) or 'none'}); "
                "arrange pickup in Seller Centre"
            )
        try:
            self._call("POST", f"{API}/logistics/ship_order", body=body)
        except RequestRejected:
            shown = self._tracking_number(order_sn)
            if shown == shipment.tracking_number:
                return  # an earlier attempt got through (its answer was lost)
            if shown:
                raise AlreadyShipped(shown, f"shopee: order {order_sn} already shipped with {shown}") from None
            raise

    def _tracking_number(self, order_sn: str) -> str:
        """The tracking number the order shows at Shopee ("" before it ships)."""
        data = self._call("GET", f"{API}/logistics/get_tracking_number", params={"order_sn": order_sn})
        return str((data.get("response") or {}).get("tracking_number") or "")

    # --- payloads -----------------------------------------------------------------
    parse_order = staticmethod(parse_order)

    @staticmethod
    def verify_webhook(headers: dict, body: bytes, secret: str) -> bool:
        return verify_push(headers, body, secret)
