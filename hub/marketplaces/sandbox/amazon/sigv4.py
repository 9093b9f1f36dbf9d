"""AWS Signature Version 4, checked the way an AWS service checks it (the sandbox's SQS queue).

Written here, apart from the hub's signer (httpx-auth's ``AWS4Auth``), on purpose: a request the
hub signs passes only if two independent implementations agree, and the test suite also checks
this one against the example AWS publishes
(https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).

Steps: parse ``Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request,
SignedHeaders=<a;b>, Signature=<hex>``; look the key up; require ``x-amz-date`` within 15 minutes;
rebuild the canonical request from the method, the path, the sorted query, the signed headers (lower
case, values trimmed, inner spaces folded) and the SHA-256 of the body; sign it with the key derived
from the secret, date, region and service; compare in constant time.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, unquote

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_CLOCK_SKEW = timedelta(minutes=15)
_AUTHORIZATION = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),"
    r"\s*Signature=(?P<signature>[0-9a-f]{64})$"
)


@dataclass(frozen=True)
class SignatureRefused(Exception):
    """Why a request's signature is refused: the AWS error code, its HTTP status and message."""

    code: str
    status: int
    message: str


@dataclass(frozen=True)
class SignedRequest:
    method: str
    path: str  # as sent, percent-encoded
    query: str  # as sent, without "?"
    headers: dict[str, str]  # names in any case
    body: bytes


def _uri_encode(value: str, safe: str = "") -> str:
    return quote(value, safe="-_.~" + safe)


def canonical_request(request: SignedRequest, signed_headers: list[str]) -> str:
    headers = {name.lower(): value for name, value in request.headers.items()}
    canonical_headers = "".join(f"{name}:{' '.join(str(headers.get(name, '')).split())}\n" for name in signed_headers)
    pairs = sorted(
        (_uri_encode(key), _uri_encode(value)) for key, value in parse_qsl(request.query, keep_blank_values=True)
    )
    return "\n".join(
        [
            request.method.upper(),
            _uri_encode(unquote(request.path) or "/", safe="/"),
            "&".join(f"{key}={value}" for key, value in pairs),
            canonical_headers,
            ";".join(signed_headers),
            hashlib.sha256(request.body).hexdigest(),
        ]
    )


def signature(secret: str, amz_date: str, scope: list[str], canonical: str) -> str:
    """The hex signature of a canonical request; ``scope`` is [date, region, service, "aws4_request"]."""
    string_to_sign = "\n".join([ALGORITHM, amz_date, "/".join(scope), hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + secret).encode()
    for part in scope:
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def verify(request: SignedRequest, secrets: dict[str, str], service: str, now: datetime | None = None) -> str:
    """The access key id that signed ``request``; SignatureRefused when the signature does not hold."""
    headers = {name.lower(): value for name, value in request.headers.items()}
    authorization = headers.get("authorization", "").strip()
    if not authorization:
        raise SignatureRefused(
            "MissingAuthenticationToken",
            403,
            "The request must contain either a valid (registered) AWS access key ID or X.509 certificate.",
        )
    match = _AUTHORIZATION.match(authorization)
    credential = match["credential"].split("/") if match else []
    if not match or len(credential) != 5 or credential[4] != "aws4_request":
        raise SignatureRefused("IncompleteSignature", 400, "The request signature does not conform to AWS standards.")
    access_key, scope = credential[0], credential[1:]
    if access_key not in secrets:
        raise SignatureRefused("InvalidClientTokenId", 403, "The security token included in the request is invalid.")
    signed_headers = match["signed"].split(";")
    amz_date = headers.get("x-amz-date", "")
    if "host" not in signed_headers or "x-amz-date" not in signed_headers or scope[2] != service:
        raise SignatureRefused("IncompleteSignature", 400, "The request signature does not conform to AWS standards.")
    try:
        signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise SignatureRefused("IncompleteSignature", 400, "X-Amz-Date is not a valid date.") from None
    now = now or datetime.now(UTC)
    if abs(now - signed_at) > MAX_CLOCK_SKEW or scope[0] != amz_date[:8]:
        raise SignatureRefused(
            "SignatureDoesNotMatch", 403, f"Signature expired: {amz_date} is now earlier or later than allowed."
        )
    expected = signature(secrets[access_key], amz_date, scope, canonical_request(request, signed_headers))
    if not hmac.compare_digest(expected, match["signature"]):
        raise SignatureRefused(
            "SignatureDoesNotMatch",
            403,
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        )
    return access_key
