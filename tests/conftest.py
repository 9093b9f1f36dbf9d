import pytest

from tests.services_check import unreachable_services

pytest_plugins = ["tests.fixtures.celery_worker", "tests.fixtures.users"]


def pytest_sessionstart(session):
    problems = unreachable_services()
    if problems:
        pytest.exit("The test suite needs PostgreSQL and Redis:\n" + "\n".join(problems), returncode=2)
