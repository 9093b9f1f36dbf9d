"""What a platform's push limit allows: the shortest worst-case wait any schedule could achieve.

An account can send ``rate`` push calls a second, each carrying up to ``batch`` listings. A listing whose
advertised quantity changes at ``λ`` times a second (Poisson) and is pushed at most ``W`` seconds after its
first unpushed change needs at least ``1 / (W + 1/λ)`` pushes a second: the fewest come from pushing exactly
``W`` after that first change (every change in the window rides along), and the next change then comes
``1/λ`` later on average. So the account's listings can all be held within ``W`` only if

    Σ 1 / (W + 1/λ_i) ≤ rate * batch,

and the smallest such ``W`` is the floor the platform's limit sets on the worst-case hub latency at this
traffic, whatever the hub does. When the changes fit (Σ λ_i ≤ rate * batch) the floor is 0.
"""

from collections.abc import Sequence


def pushes_needed(change_rates: Sequence[float], wait: float) -> float:
    """Listing pushes a second needed to keep every listing within ``wait`` seconds of its first change."""
    return sum(1.0 / (wait + 1.0 / rate) for rate in change_rates if rate > 0)


def shortest_worst_wait(change_rates: Sequence[float], rate: float, batch: int = 1) -> float:
    """The smallest ``W`` with ``pushes_needed(change_rates, W) <= rate * batch`` (seconds, to 1 ms)."""
    capacity = rate * batch
    if capacity <= 0:
        raise ValueError("the push rate must be positive")
    if pushes_needed(change_rates, 0.0) <= capacity:
        return 0.0
    low, high = 0.0, 1.0
    while pushes_needed(change_rates, high) > capacity:
        high *= 2
    while high - low > 0.001:
        middle = (low + high) / 2
        if pushes_needed(change_rates, middle) > capacity:
            low = middle
        else:
            high = middle
    return round(high, 3)
