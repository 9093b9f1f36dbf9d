"""The shared shape checker can fail: every schema form reports a mismatch by its path."""

from tests.marketplaces.support import DECIMAL_STRING, ISO_DATETIME, Optional, shape_errors

SCHEMA = {
    "id": int,
    "status": {"OPEN", "CLOSED"},
    "at": ISO_DATETIME,
    "total": DECIMAL_STRING,
    "note?": str,
    "tag": Optional(str),
    "lines": [{"sku": str, "qty": (int, float)}],
}
GOOD = {
    "id": 7,
    "status": "OPEN",
    "at": "2026-11-25T10:00:00Z",
    "total": "19.90",
    "lines": [{"sku": "A", "qty": 2}, {"sku": "B", "qty": 1.5}],
    "extra": "allowed",
}


def test_a_value_that_fits_has_no_errors():
    assert shape_errors(GOOD, SCHEMA) == []


def test_each_mismatch_is_named_by_its_path():
    bad = {
        **GOOD,
        "id": True,
        "status": "LOST",
        "at": "2026-11-25T10:00:00",
        "total": 19.9,
        "note": 3,
        "lines": [{"sku": "A"}, "B"],
    }
    del bad["extra"]

    errors = shape_errors(bad, SCHEMA)

    assert [error.split(":")[0] for error in errors] == [
        "$.id",
        "$.status",
        "$.at",
        "$.total",
        "$.note",
        "$.lines[0].qty",
        "$.lines[1]",
    ]


def test_a_missing_required_key_is_reported_and_optional_ones_are_not():
    assert shape_errors({}, {"a": int, "b?": int, "c": Optional(int)}) == ["$.a: missing"]
