import pytest

from tests.services_check import unreachable_services

pytest_plugins = ["tests.fixtures.celery_worker", "tests.fixtures.users"]


def pytest_sessionstart(session):
    problems = unreachable_services()
    if problems:
        pytest.exit("The test suite needs PostgreSQL and Redis:\n" + "\n".join(problems), returncode=2)


@pytest.fixture
def in_flight_seconds():
    """Set the measured in-flight time (``inventory.velocity``) for one test: ``in_flight_seconds(0)``."""
    from django.core.cache import cache

    from inventory.velocity import IN_FLIGHT_CACHE_KEY, detection_now_forget, in_flight_seconds_record

    detection_now_forget()  # detection times observed by earlier tests' orders
    yield in_flight_seconds_record
    cache.delete(IN_FLIGHT_CACHE_KEY)
    detection_now_forget()
