"""A time budget for coding: past its deadline the work is interrupted with `OverBudget`.

The interruption is SIGALRM's (a timer of the process), so it works in a process's main thread, where
`dyad code` and `dyad ingest` (and each of ingest's worker processes) code; elsewhere, or with no budget,
the work runs unbounded. `OverBudget` is a BaseException: the components' `except Exception` (one bad
document must not break the batch) must not swallow it.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

# Seconds one article may take to code in `dyad code` and `dyad ingest` (`--article-timeout`; the library
# has no limit unless given one). A bound, not tuned: a long article codes in a few seconds (5 articles/s
# on the shared corpora), a 200,000-character page with no full stop in ~8 s
# (`python benchmarks/long_sentences.py`).
ARTICLE_TIMEOUT = 60.0


class OverBudget(BaseException):
    """The work ran past its budget."""


def can_interrupt() -> bool:
    """Whether a budget can be enforced here: a platform with SIGALRM, in the main thread."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def budget(seconds: float | None) -> Iterator[None]:
    """Run the block for at most `seconds` (None or 0: no limit), else raise OverBudget inside it."""
    if not seconds or not can_interrupt():
        yield
        return
    armed = True

    def expire(_signum, _frame):
        if armed:  # not once the block has ended: the timer may fire on the way out
            raise OverBudget

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)
