"""Answer reading every adapter shares (hub/marketplaces/http_errors.py), on real httpx responses."""

import httpx
import pytest

from hub.marketplaces.errors import ServerError
from hub.marketplaces.http_errors import first_error, json_object, json_or_none, retry_after


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("2", 2.0), ("0.5", 0.5), ("0", 0.0), (None, 7.0), ("", 7.0), ("soon", 7.0), ("-3", 7.0), ("inf", 7.0)],
)
def test_retry_after_reads_seconds_and_falls_back_to_the_default(header, seconds):
    headers = httpx.Headers({} if header is None else {"Retry-After": header})

    assert retry_after(headers, 7.0) == seconds


def test_json_object_returns_the_object_of_an_answer():
    assert json_object(httpx.Response(200, json={"ok": True}), "shopee", "/api/v2/x") == {"ok": True}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"cut', "shopee: unreadable JSON from /api/v2/x (HTTP 200)"),
        (b"[1]", "shopee: unexpected answer from /api/v2/x"),
    ],
)
def test_json_object_calls_a_truncated_or_non_object_body_a_retryable_server_error(content, message):
    with pytest.raises(ServerError) as failed:
        json_object(httpx.Response(200, content=content), "shopee", "/api/v2/x")

    assert str(failed.value) == message
    assert failed.value.retryable


def test_json_or_none_is_none_for_an_empty_or_non_json_body():
    assert json_or_none(httpx.Response(204)) is None
    assert json_or_none(httpx.Response(502, content=b"<html>")) is None
    assert json_or_none(httpx.Response(200, json={"a": 1})) == {"a": 1}


def test_first_error_is_the_first_entry_of_an_errors_list_or_empty():
    assert first_error({"errors": [{"code": "A"}, {"code": "B"}]}) == {"code": "A"}
    assert first_error({"errors": []}) == {}
    assert first_error({"errors": "nope"}) == {}
    assert first_error(None) == {}
