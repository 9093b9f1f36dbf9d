from celery import shared_task


@shared_task(ignore_result=False)
def ping(token: str) -> str:
    """Answers with its argument: proves a worker is consuming from the broker."""
    return f"pong:{token}"
