import threading
from collections.abc import Callable

from django.db import connection


def race(workers: list[Callable[[], object]], *, timeout: float = 60.0) -> list[tuple[str, object]]:
    """Run each callable in its own thread (own DB connection), all released at once by a barrier.

    Returns [("ok", result) | ("error", exception)] in worker order; fails if a thread hangs.
    """
    barrier = threading.Barrier(len(workers))
    outcomes: list[tuple[str, object] | None] = [None] * len(workers)

    def run(index: int, work: Callable[[], object]) -> None:
        try:
            barrier.wait()
            outcomes[index] = ("ok", work())
        except Exception as error:  # noqa: BLE001 - the test inspects every outcome
            outcomes[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    hung = [thread.name for thread in threads if thread.is_alive()]
    assert not hung, f"threads still running (deadlock?): {hung}"
    return outcomes
