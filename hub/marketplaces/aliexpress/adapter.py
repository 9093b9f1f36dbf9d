"""AliExpress Open Platform (IOP gateway), one seller: signed calls, token refresh, orders, stock, shipping.

Credentials (encrypted on the account): ``app_key``, ``app_secret``, ``access_token``,
``refresh_token``, ``expire_at`` (Unix seconds). Settings: ``page_size`` (1-50),
``logistics_services`` (carrier -> AliExpress ``service_name``), ``throttle_retry_seconds``.
"""

import json
import re
import time
from datetime import UTC, datetime

from ..base import MarketplaceAdapter
from ..batching import group_by_listing, push_in_batches
from ..errors import AuthFailed, ItemError, RequestRejected, ServerError, Throttled
from ..http_errors import json_object
from ..pages import page_with_details
from ..tokens import TokenRefreshing
from ..types import CanonicalOrder, ListingRef, OrderPage, OrderStamp, PushResult, QuantityUpdate, ShipmentPush
from .parsing import PACIFIC, order_status, pacific_time, parse_order
from .signing import iop_sign

SYNC_PATH = "/sync"
REFRESH_API = "/auth/token/refresh"
MAX_PAGE_SIZE = 50
MAX_PRODUCTS_PER_CALL = 20  # mutiple_product_update_list: at most 20 products ...
MAX_SKUS_PER_PRODUCT = 200  # ... of at most 200 SKUs each
DEFAULT_THROTTLE_SECONDS = 1.0
ALL_STATUSES = [
    "PLACE_ORDER_SUCCESS",
    "IN_CANCEL",
    "WAIT_SELLER_SEND_GOODS",
    "SELLER_PART_SEND_GOODS",
    "WAIT_BUYER_ACCEPT_GOODS",
    "FUND_PROCESSING",
    "IN_ISSUE",
    "IN_FROZEN",
    "WAIT_SELLER_EXAMINE_MONEY",
    "RISK_CONTROL",
    "FINISH",
]
TOKEN_ERRORS = {"IllegalAccessToken", "InvalidSession", "SessionExpired", "27"}
AUTH_ERRORS = TOKEN_ERRORS | {
    "IllegalRefreshToken",
    "IncompleteSignature",
    "InvalidSignature",
    "InvalidAppKey",
    "AppKeyNotExists",
    "25",
}
THROTTLE_ERRORS = {"ApiCallLimit", "AppCallLimit", "7", "accesscontrol.limited-by-api-access-count"}
BAN_SECONDS = re.compile(r"(\d+(?:\.\d+)?) more seconds")


def pacific(moment: datetime) -> str:
    return moment.astimezone(PACIFIC).strftime("%Y-%m-%d %H:%M:%S")


class AliExpressAdapter(TokenRefreshing, MarketplaceAdapter):
    platform = "aliexpress"
    # order.fulfill once per parcel (one logistics_no each): send_type "part" until the push that completes the order
    one_tracking_number_per_order = False
    default_base_url = "https://api-sg.aliexpress.com"
    batch_limit = MAX_PRODUCTS_PER_CALL  # products per inventory call (one SKU each in the common case)
    signs_webhooks = False
    refresh_margin_seconds = 300

    # --- transport ------------------------------------------------------------
    def _post(self, url_path: str, api: str, params: dict, credentials: dict) -> dict:
        try:
            app_key, app_secret = credentials["app_key"], credentials["app_secret"]
        except KeyError:
            raise AuthFailed("aliexpress: account credentials lack app_key/app_secret") from None
        signed = {**params, "app_key": app_key, "timestamp": str(int(time.time() * 1000)), "sign_method": "sha256"}
        signed["sign"] = iop_sign(app_secret, api, signed)
        response = self.request("POST", f"{self.base_url}{url_path}", data=signed)
        if response.status_code >= 500:
            raise ServerError(f"aliexpress: HTTP {response.status_code} from {api}")
        return json_object(response, "aliexpress", api)

    def _raise_for_error(self, api: str, error: dict) -> None:
        codes = {str(error.get("code") or ""), str(error.get("sub_code") or "")}
        message = str(error.get("sub_msg") or error.get("msg") or error.get("message") or "")[:200]
        if codes & THROTTLE_ERRORS:
            ban = BAN_SECONDS.search(message)
            default = float(self.account.settings.get("throttle_retry_seconds", DEFAULT_THROTTLE_SECONDS))
            raise Throttled(float(ban.group(1)) if ban else default, f"aliexpress: {error.get('code')} on {api}")
        if codes & AUTH_ERRORS:
            raise AuthFailed(f"aliexpress: {error.get('code')} on {api}: {message}")
        if error.get("type") in ("ISP", "SYSTEM") or str(error.get("code", "")).startswith("isp."):
            raise ServerError(f"aliexpress: {error.get('code')} on {api}: {message}")
        raise RequestRejected(f"aliexpress: {error.get('code')} on {api}: {message}")

    def _call(self, method: str, params: dict) -> dict:
        """A business call on /sync; refresh the token ahead of expiry, and once more if it is refused."""
        credentials = self._fresh_credentials()
        data = self._post(
            SYNC_PATH, method, {**params, "method": method, "session": credentials["access_token"]}, credentials
        )
        error = data.get("error_response")
        if isinstance(error, dict) and str(error.get("code")) in TOKEN_ERRORS:
            credentials = self._refresh(stale_token=credentials["access_token"])
            data = self._post(
                SYNC_PATH, method, {**params, "method": method, "session": credentials["access_token"]}, credentials
            )
            error = data.get("error_response")
        if isinstance(error, dict):
            self._raise_for_error(method, error)
        body = data.get(f"{method.replace('.', '_')}_response")
        if not isinstance(body, dict):
            raise ServerError(f"aliexpress: {method} answer lacks its _response object")
        return body

    # --- tokens -----------------------------------------------------------------
    def _request_token(self, current: dict) -> dict:
        data = self._post(f"/rest{REFRESH_API}", REFRESH_API, {"refresh_token": current["refresh_token"]}, current)
        if str(data.get("code", "0")) != "0":
            self._raise_for_error(REFRESH_API, data)
        try:
            return {
                "access_token": data["access_token"],
                "refresh_token": data.get("refresh_token") or current["refresh_token"],
                "expire_at": int(time.time()) + int(data["expires_in"]),
            }
        except (KeyError, TypeError, ValueError):
            raise ServerError("aliexpress: token answer lacks access_token/expires_in") from None

    # --- orders -----------------------------------------------------------------
    def list_orders(self, since: datetime, cursor: str | None = None) -> OrderPage:
        """Orders modified since ``since``, page by page (page number, page size up to 50)."""
        if cursor:
            try:
                state = json.loads(cursor)
                page, start, end = int(state["p"]), state["s"], state["e"]
            except (ValueError, KeyError, TypeError):
                raise RequestRejected("aliexpress: malformed order cursor") from None
        else:
            page, start, end = 1, pacific(since), pacific(datetime.now(UTC))
        page_size = max(1, min(int(self.account.settings.get("page_size", MAX_PAGE_SIZE)), MAX_PAGE_SIZE))
        query = {
            "modified_date_start": start,
            "modified_date_end": end,
            "order_status_list": ALL_STATUSES,
            "page_size": page_size,
            "current_page": page,
        }
        body = self._call("aliexpress.solution.order.get", {"param0": json.dumps(query)})
        result = self._result(body, "aliexpress.solution.order.get")
        summaries = ((result.get("target_list") or {}).get("order_dto")) or []
        stamps = [_stamp(summary) for summary in summaries]
        more = page < int(result.get("total_page") or 0)
        next_cursor = json.dumps({"p": page + 1, "s": start, "e": end}, separators=(",", ":")) if more else None
        return page_with_details(
            parse_order,
            stamps,
            lambda index: self._order_detail(stamps[index].external_id),
            next_cursor,
            self.unknown_orders(stamps),
        )

    @staticmethod
    def _result(body: dict, method: str) -> dict:
        result = body.get("result")
        if not isinstance(result, dict):
            raise ServerError(f"aliexpress: {method} answer lacks result")
        if result.get("success") is False or str(result.get("success")).lower() == "false":
            raise RequestRejected(f"aliexpress: {method}: {result.get('error_code')}: {result.get('error_message')}")
        return result

    def _order_detail(self, order_id: str) -> dict:
        body = self._call("aliexpress.solution.order.info.get", {"param1": json.dumps({"order_id": int(order_id)})})
        data = self._result(body, "aliexpress.solution.order.info.get").get("data")
        if not isinstance(data, dict):
            raise RequestRejected(f"aliexpress: order {order_id} not found")
        return data

    def get_order(self, external_id: str) -> tuple[CanonicalOrder, dict]:
        if not str(external_id).isdigit():
            raise RequestRejected(f"aliexpress: order id {external_id!r} is not numeric")
        raw = self._order_detail(str(external_id))
        return parse_order(raw), raw

    # --- stock ------------------------------------------------------------------
    def push_quantities(self, updates) -> PushResult:
        """Pack whole products into calls of at most 20 products, splitting products of over 200 SKUs."""
        product_chunks = [
            product_updates[start : start + MAX_SKUS_PER_PRODUCT]
            for product_updates in group_by_listing(updates).values()
            for start in range(0, len(product_updates), MAX_SKUS_PER_PRODUCT)
        ]
        batches: list[list[QuantityUpdate]] = []
        products_in: list[set[str]] = []
        for chunk in product_chunks:  # first batch with room that does not hold this product yet
            product_id = chunk[0].listing.listing_id
            index = next(
                (i for i, ids in enumerate(products_in) if len(ids) < MAX_PRODUCTS_PER_CALL and product_id not in ids),
                None,
            )
            if index is None:
                batches.append([])
                products_in.append(set())
                index = len(batches) - 1
            batches[index] += chunk
            products_in[index].add(product_id)
        return push_in_batches(self.push_quantities_batch, batches)

    def push_quantities_batch(self, updates: list[QuantityUpdate]) -> PushResult:
        """One ``batch.product.inventory.update`` call; the platform answers per product."""
        result = PushResult()
        by_product = group_by_listing(update for update in updates if update.listing.listing_id)
        for update in updates:
            if not update.listing.listing_id:
                result.failed.append(ItemError(update.listing.seller_sku, "missing_ids", "listing lacks a product_id"))
        if not by_product:
            return result
        products = [
            {
                "product_id": int(product_id) if product_id.isdigit() else product_id,
                "multiple_sku_update_list": [
                    {"sku_code": update.listing.seller_sku, "inventory": str(max(0, update.quantity))}
                    for update in product_updates
                ],
            }
            for product_id, product_updates in by_product.items()
        ]
        method = "aliexpress.solution.batch.product.inventory.update"
        body = self._call(method, {"mutiple_product_update_list": json.dumps(products)})
        result.calls += 1
        failed = {
            str(entry.get("product_id")): entry
            for entry in ((body.get("update_failed_list") or {}).get("synchronize_product_response_dto") or [])
        }
        for product_id, product_updates in by_product.items():
            failure = failed.get(str(product_id))
            for update in product_updates:
                if failure is None:
                    result.succeeded.append(update.listing)
                else:
                    result.failed.append(
                        ItemError(
                            update.listing.seller_sku,
                            str(failure.get("error_code") or "aliexpress.inventory_update"),
                            str(failure.get("error_message") or "update failed"),
                        )
                    )
        return result

    def read_quantities(self, listings: list[ListingRef]) -> dict[str, int]:
        quantities: dict[str, int] = {}
        for product_id, product_listings in group_by_listing(listings).items():
            body = self._call("aliexpress.solution.product.info.get", {"product_id": product_id})
            result = self._result(body, "aliexpress.solution.product.info.get")
            skus = ((result.get("aeop_ae_product_s_k_us") or {}).get("global_aeop_ae_product_sku")) or []
            stock = {str(sku.get("sku_code")): int(sku.get("ipm_sku_stock") or 0) for sku in skus}
            for listing in product_listings:
                if listing.seller_sku in stock:
                    quantities[listing.seller_sku] = stock[listing.seller_sku]
        return quantities

    # --- fulfilment ---------------------------------------------------------------
    def push_shipment(self, shipment: ShipmentPush) -> None:
        services = self.account.settings.get("logistics_services") or {}
        service_name = services.get(shipment.carrier.upper()) or shipment.service or shipment.carrier.upper()
        params = {
            "service_name": service_name,
            "out_ref": shipment.external_order_id,
            "send_type": "all" if shipment.completes_order else "part",
            "logistics_no": shipment.tracking_number,
            "description": f"Shipped with {shipment.carrier}"[:512],
        }
        if service_name == "OTHER":
            params["tracking_website"] = self.account.settings.get("tracking_website", "")
        body = self._call("aliexpress.solution.order.fulfill", params)
        result = body.get("result") or {}
        if not result.get("result_success"):
            code, description = result.get("result_error_code"), result.get("result_error_desc")
            raise RequestRejected(f"aliexpress: order.fulfill refused: {code}: {description}")

    # --- payloads -----------------------------------------------------------------
    parse_order = staticmethod(parse_order)


def _stamp(summary: dict) -> OrderStamp:
    """An OrderDTO of the order list: its id, ``gmt_update`` and status (without the end reason a
    finished order's detail carries, so a finished order may look changed and be fetched again)."""
    if "order_id" not in summary:
        raise ServerError("aliexpress: order.get lists an order without order_id")
    updated = summary.get("gmt_update")
    return OrderStamp(
        external_id=str(summary["order_id"]),
        updated_at=pacific_time(updated, "gmt_update") if updated else None,
        status=order_status(summary),
    )
