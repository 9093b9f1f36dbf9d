import threading
import uuid

from hub.core.ratelimit import TokenBucket


def test_bucket_allows_burst_then_asks_to_wait():
    bucket = TokenBucket(f"test:{uuid.uuid4()}", rate_per_second=2, burst=3)

    waits = [bucket.take() for _ in range(4)]

    assert waits[:3] == [0.0, 0.0, 0.0]
    assert 0.4 < waits[3] <= 0.5


def test_concurrent_takers_never_overspend_the_shared_bucket():
    bucket = TokenBucket(f"test:{uuid.uuid4()}", rate_per_second=0.001, burst=10)
    granted = []
    barrier = threading.Barrier(8)

    def worker():
        barrier.wait()
        for _ in range(5):
            if bucket.take() == 0:
                granted.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(granted) == 10
