import uuid

import pytest

from hub.core.tasks import ping


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_task_runs_on_a_real_worker_through_redis(celery_worker_process, settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    token = uuid.uuid4().hex

    result = ping.delay(token)

    assert result.get(timeout=30) == f"pong:{token}"
