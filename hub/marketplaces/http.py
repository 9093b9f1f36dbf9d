"""HTTP clients for the adapters, sharing one TLS context per process.

Building a TLS context loads the CA bundle, which costs tens of milliseconds of CPU: an
httpx client built per task paid it on every push and every order fetch (half of a
sync worker's CPU under load). An ``ssl.SSLContext`` may be shared by any number of clients.
"""

import functools
import ssl

import certifi
import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certifi.where())


def http_client(timeout: httpx.Timeout | float) -> httpx.Client:
    return httpx.Client(timeout=timeout, verify=tls_context())
