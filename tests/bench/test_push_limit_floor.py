"""The floor a platform's push limit sets on hub latency (bench/_limits.py), which the sync benchmark reports per
account to tell which platforms' limits allow the latency goal at its traffic."""

import random

import pytest

from bench._limits import pushes_needed, shortest_worst_wait


def test_changes_that_fit_the_limit_need_no_wait():
    assert shortest_worst_wait([0.5] * 8, rate=5.0) == 0.0  # 4 changes/s against 5 calls/s
    assert shortest_worst_wait([1.0] * 40, rate=2.0, batch=25) == 0.0


def test_the_floor_is_the_wait_at_which_the_needed_pushes_meet_the_limit():
    rates = [11.3 / 21] * 21  # an Amazon account of the benchmark: 21 listings, 11.3 target changes/s
    floor = shortest_worst_wait(rates, rate=5.0)
    # 21 equal listings: 21 / (W + 1/λ) = 5  =>  W = 21/5 - 21/11.3
    assert floor == pytest.approx(21 / 5 - 21 / 11.3, abs=0.002)
    assert pushes_needed(rates, floor) <= 5.0 < pushes_needed(rates, floor - 0.01)


def test_a_faster_limit_or_bigger_batches_lower_the_floor():
    rates = [0.4, 0.9, 0.2, 1.5, 0.7] * 4
    assert shortest_worst_wait(rates, 5.0) > shortest_worst_wait(rates, 6.0) > shortest_worst_wait(rates, 4.0, 2)


def test_a_bad_rate_is_refused():
    with pytest.raises(ValueError):
        shortest_worst_wait([1.0], rate=0)


def _oldest_first_worst_wait(rates, calls_per_s, seconds, seed):
    """Simulate a pusher at the limit sending, at each token, the listing whose first unpushed change is oldest."""
    rng = random.Random(seed)
    changes = sorted((t, listing) for listing, rate in enumerate(rates) for t in _poisson_times(rng, rate, seconds))
    first_unpushed: dict[int, float] = {}
    worst, index = 0.0, 0
    tick = 1.0 / calls_per_s
    now = 0.0
    while now < seconds:
        while index < len(changes) and changes[index][0] <= now:
            t, listing = changes[index]
            first_unpushed.setdefault(listing, t)
            index += 1
        if first_unpushed:
            listing = min(first_unpushed, key=first_unpushed.get)
            if now > seconds / 5:  # past the warm-up
                worst = max(worst, now - first_unpushed[listing])
            del first_unpushed[listing]
        now += tick
    return worst


def _poisson_times(rng, rate, seconds):
    t = rng.expovariate(rate)
    while t < seconds:
        yield t
        t += rng.expovariate(rate)


def test_a_real_schedule_at_the_limit_waits_at_least_the_floor():
    rates = [11.3 / 21] * 21
    floor = shortest_worst_wait(rates, rate=5.0)
    worst = _oldest_first_worst_wait(rates, 5.0, seconds=600, seed=7)
    assert worst >= floor * 0.95  # no schedule beats the floor (5 % for a finite sample)
    assert worst <= floor * 2.5  # and oldest-first stays in its neighbourhood
