"""The web app's guards around accounts: a throttle on sign-in failures and
CSRF tokens for forms. The accounts themselves are `tracking.accounts`."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable

ACCOUNT_FAILURES = 5
"""Failed sign-ins of one account from one address within the window before it must wait."""
ADDRESS_FAILURES = 30
"""Failed sign-ins from one address within the window, whatever the accounts, before it must wait."""
THROTTLE_WINDOW_S = 900


class LoginThrottle:
    """Refuses a key after `max_failures` failed logins within `window_s`
    seconds, until the oldest of those failures is older than the window.

    The key is the caller's choice (e.g. "username|ip", so that one address
    cannot lock a user out everywhere). In memory and per process: a restart
    forgets the failures, which argon2's cost per guess makes acceptable. A
    failure recorded while blocked extends the block. Thread-safe.
    """

    _SWEEP_ABOVE = 10_000
    """Keys kept before expired ones are swept, so many one-off keys cannot fill memory."""

    def __init__(self, max_failures: int = 5, window_s: float = 900, clock: Callable[[], float] = time.monotonic) -> None:
        if max_failures < 1:
            raise ValueError("max_failures must be at least 1")
        if window_s <= 0:
            raise ValueError("window_s must be positive")
        self.max_failures = max_failures
        self.window_s = float(window_s)
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}

    def blocked(self, key: str) -> float:
        """Seconds until `key` may try again; 0.0 when it may now."""
        with self._lock:
            now = self._clock()
            times = self._recent(key, now)
            if len(times) < self.max_failures:
                return 0.0
            # At most max_failures times are kept: the oldest is the one to expire.
            return max(0.0, times[0] + self.window_s - now)

    def failed(self, key: str) -> None:
        with self._lock:
            now = self._clock()
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times
            if len(self._failures) > self._SWEEP_ABOVE:
                for other in list(self._failures):
                    self._recent(other, now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        """The failures of `key` still inside the window (the lock is held)."""
        times = self._failures.get(key)
        if times is None:
            return deque(maxlen=self.max_failures)
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
        return times


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(expected: str | None, given: str | None) -> bool:
    """True only when both tokens are present and equal, compared in constant time."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8", "surrogatepass"), given.encode("utf-8", "surrogatepass"))
