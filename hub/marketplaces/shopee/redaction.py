"""Keep tokens and signatures out of httpx's request log.

httpx logs every request URL at INFO ("HTTP Request: GET https://...?access_token=...&sign=...").
Shopee requires the access token and the sign in the query string, so this filter masks those
parameters in httpx's records. It is installed on the ``httpx`` logger when the adapter is
imported; a LOGGING entry in settings would be the better home (reported to the lead).
"""

import logging
import re

SENSITIVE_PARAMETERS = ("access_token", "refresh_token", "sign", "session", "partner_key", "app_secret", "code")
_PATTERN = re.compile(r"([?&](?:" + "|".join(SENSITIVE_PARAMETERS) + r")=)[^&\s\"']*", re.IGNORECASE)


def redact_url(text: str) -> str:
    return _PATTERN.sub(r"\1***", text)


class RedactQueryFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_url(str(arg)) if "=" in str(arg) else arg for arg in record.args)
        if isinstance(record.msg, str) and "=" in record.msg:
            record.msg = redact_url(record.msg)
        return True


def install() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(existing, RedactQueryFilter) for existing in logger.filters):
        logger.addFilter(RedactQueryFilter())
