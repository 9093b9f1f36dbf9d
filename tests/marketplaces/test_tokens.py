"""The refresh rule every adapter shares (hub/marketplaces/tokens.py); the platforms' contract tests race it."""

from datetime import UTC, datetime, timedelta

from hub.marketplaces.tokens import iso_expires_within, needs_refresh

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
MARGIN = timedelta(seconds=60)


def expiring(credentials: dict) -> bool:
    return credentials["expired"]


def test_without_a_stale_token_only_expiring_credentials_are_refreshed():
    assert needs_refresh({"access_token": "a", "expired": True}, None, expiring) is True
    assert needs_refresh({"access_token": "a", "expired": False}, None, expiring) is False


def test_a_refused_token_is_refreshed_only_while_it_is_still_the_stored_one():
    # given the platform refused token "old"
    # when another worker already stored "new" / then no second token call, whatever the expiry says
    assert needs_refresh({"access_token": "old", "expired": False}, "old", expiring) is True
    assert needs_refresh({"access_token": "new", "expired": False}, "old", expiring) is False
    assert needs_refresh({"access_token": "new", "expired": True}, "old", expiring) is False


def test_iso_expiry_counts_the_margin_and_reads_a_time_without_offset_as_utc():
    assert iso_expires_within((NOW + timedelta(seconds=61)).isoformat(), MARGIN, NOW) is False
    assert iso_expires_within((NOW + timedelta(seconds=60)).isoformat(), MARGIN, NOW) is True
    assert iso_expires_within("2026-11-25T10:05:00", MARGIN, NOW) is False
    assert iso_expires_within("2026-11-25T12:00:00+09:00", MARGIN, NOW) is True


def test_an_unreadable_iso_expiry_counts_as_expired():
    assert iso_expires_within("soon", MARGIN, NOW) is True
    assert iso_expires_within(None, MARGIN, NOW) is True
