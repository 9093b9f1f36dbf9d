"""Sandbox shops' app credentials and OAuth tokens (shared by the Shopee and AliExpress sandboxes).

``shop.secrets`` holds the app key pair under platform-specific names plus ``access_tokens``
(token -> expiry, Unix seconds), ``latest_access_token``, ``refresh_token`` and ``refresh_expire_at``.
"""

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..models import SandboxShop


@dataclass(frozen=True)
class TokenPolicy:
    access_seconds: int
    refresh_seconds: int
    prefix: str = ""  # how the platform's tokens look (AliExpress tokens start with 50000...)


def issue_tokens(shop_secrets: dict, policy: TokenPolicy, *, now: int, expired: bool = False) -> None:
    """A new access token and a rotated refresh token (the old refresh token stops working)."""
    token = f"{policy.prefix}{secrets.token_hex(16)}"
    # Old access tokens stay valid until they expire; forget those expired for more than a day.
    tokens = {key: expiry for key, expiry in shop_secrets.get("access_tokens", {}).items() if expiry > now - 86400}
    tokens[token] = now - 1 if expired else now + policy.access_seconds
    shop_secrets.update(
        access_tokens=tokens,
        latest_access_token=token,
        refresh_token=f"{policy.prefix}{secrets.token_hex(16)}",
        refresh_expire_at=now + policy.refresh_seconds,
    )


def latest_tokens(shop: SandboxShop) -> dict:
    token = shop.secrets["latest_access_token"]
    return {
        "access_token": token,
        "refresh_token": shop.secrets["refresh_token"],
        "expire_at": shop.secrets["access_tokens"][token],
    }


def provision(
    platform: str,
    shop_id: str,
    policy: TokenPolicy,
    *,
    region: str,
    new_app: Callable[[], tuple[dict, dict]],
    webhook_url: str = "",
    expired_token: bool = False,
    rate_per_second: float | None = None,
    burst: float | None = None,
) -> SandboxShop:
    """Create or update a sandbox shop. ``new_app() -> (app secrets, shop data)`` runs for a new shop only,
    so that running the demo again keeps the credentials its accounts already hold."""
    shop, created = SandboxShop.objects.get_or_create(
        platform=platform, shop_id=shop_id, defaults={"region": region, "name": f"{platform} {shop_id}"}
    )
    now = int(time.time())
    if created or not shop.secrets.get("latest_access_token"):
        shop.secrets, shop.data = new_app()
        issue_tokens(shop.secrets, policy, now=now, expired=expired_token)
    elif expired_token:
        issue_tokens(shop.secrets, policy, now=now, expired=True)
    shop.region = region
    if webhook_url:
        shop.webhook_url = webhook_url
    if rate_per_second is not None:
        shop.data["rate_limit"] = {"rate": rate_per_second, "burst": burst or rate_per_second}
    shop.save()
    return shop
