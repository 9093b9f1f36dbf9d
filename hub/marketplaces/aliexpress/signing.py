"""AliExpress Open Platform (IOP) request signing.

``sign_method=sha256``: sort every parameter except ``sign`` by name, concatenate ``key + value``,
prefix the API path for system calls (``/auth/token/refresh``; business calls on ``/sync`` name a
``method`` and get no prefix), HMAC-SHA256 with the app secret, upper-case hex.
``sign_method=md5`` (legacy TOP): upper-case hex MD5 of ``secret + concatenation + secret``.
"""

import hashlib
import hmac


def _concatenated(params: dict) -> str:
    return "".join(f"{key}{params[key]}" for key in sorted(params) if key != "sign")


def iop_sign(app_secret: str, api: str, params: dict, sign_method: str = "sha256") -> str:
    base = _concatenated(params)
    if sign_method == "md5":
        return hashlib.md5(f"{app_secret}{base}{app_secret}".encode(), usedforsecurity=False).hexdigest().upper()
    if "/" in api:
        base = f"{api}{base}"
    return hmac.new(app_secret.encode(), base.encode(), hashlib.sha256).hexdigest().upper()


def sign_matches(app_secret: str, api: str, params: dict) -> bool:
    method = params.get("sign_method", "")
    if method not in ("sha256", "md5"):
        return False
    expected = iop_sign(app_secret, api, params, method)
    return hmac.compare_digest(expected.encode(), str(params.get("sign", "")).encode())
