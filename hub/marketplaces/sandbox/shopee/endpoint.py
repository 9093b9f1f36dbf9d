"""One wrapper for every sandbox endpoint: injected faults first, the call record last.

Also used by the AliExpress sandbox (a candidate for ``sandbox/common.py``).
"""

import functools
import json
from collections.abc import Callable

from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from ..common import fault_response, record_call


def request_json(request) -> dict:
    """The JSON object in the request body, or {} when there is none (views report what is missing)."""
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def sandbox_view(
    platform: str,
    operation: str | Callable,
    methods: tuple[str, ...],
    shop_id_of: Callable,
    throttled: Callable[[float], HttpResponse],
    not_allowed: Callable[[], HttpResponse],
):
    """Decorate ``view(request) -> HttpResponse``; a view may set ``response.sandbox_items`` for batch calls.

    ``operation`` names the call for faults and records; a callable derives it from the request
    (AliExpress names its operations in a ``method`` parameter of one gateway path).
    """

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def endpoint(request, *args, **kwargs):
            shop_id = shop_id_of(request)
            name = operation(request) if callable(operation) else operation
            response = fault_response(platform, shop_id, name, throttled)
            if response is None:
                response = view(request, *args, **kwargs) if request.method in methods else not_allowed()
            record_call(
                platform, shop_id, name, request, response.status_code, items=getattr(response, "sandbox_items", 0)
            )
            return response

        return endpoint

    return decorate
