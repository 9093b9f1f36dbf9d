"""Push runs queued and not started, in Redis: what tells the inbox that pushes wait for a process."""

import pytest

from hub.core.redis import redis_client
from hub.sync import push_waits


@pytest.fixture(autouse=True)
def no_runs_queued():
    redis_client().delete(push_waits._key())
    yield
    redis_client().delete(push_waits._key())


def test_a_run_due_later_is_not_overdue():
    push_waits.push_queued(1, countdown=5)

    assert not push_waits.pushes_overdue()


def test_a_run_past_its_due_time_is_overdue_until_it_starts():
    push_waits.push_queued(1, countdown=-1)  # due a second ago
    push_waits.push_queued(2, countdown=5)

    assert push_waits.pushes_overdue()
    push_waits.push_started(1)
    assert not push_waits.pushes_overdue()


def test_a_run_queued_again_counts_from_its_new_due_time():
    push_waits.push_queued(1, countdown=-1)
    push_waits.push_queued(1, countdown=5)

    assert not push_waits.pushes_overdue()


def test_a_run_never_started_is_forgotten():
    """A killed worker's run: it must not hold the inbox's batches back for good."""
    push_waits.push_queued(1, countdown=-(push_waits.FORGET_AFTER_SECONDS + 1))

    assert not push_waits.pushes_overdue()
    assert redis_client().zcard(push_waits._key()) == 0


def test_nothing_is_tracked_without_redis(settings):
    settings.REDIS_URL = ""
    push_waits.push_queued(1, countdown=-1)

    assert not push_waits.pushes_overdue()
