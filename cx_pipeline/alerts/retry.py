"""Bounded retries: a flaky sink gets a few chances, a dead one cannot stall the run."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

logger = logging.getLogger("cx_pipeline.alerts")

MAX_DELAY_SECONDS = 4.0


def _env_number(name: str, default: float, cast: type, minimum: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = cast(raw)
    except ValueError:
        # A typo in an alerting knob must not be what silences the alerts.
        logger.warning("ignoring %s=%r (not a number); using %s", name, raw, default)
        return default
    return max(minimum, value)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = MAX_DELAY_SECONDS
    timeout: float = 5.0

    @classmethod
    def from_env(cls) -> RetryPolicy:
        return cls(
            attempts=int(_env_number("CX_ALERT_RETRIES", 3, int, 1)),
            base_delay=_env_number("CX_ALERT_RETRY_BASE_SECONDS", 0.5, float, 0.0),
            timeout=_env_number("CX_ALERT_TIMEOUT_SECONDS", 5.0, float, 0.1),
        )

    def delay(self, failed_attempts: int) -> float:
        """Pause after the n-th failed attempt (1-based): base, 2*base, 4*base... capped."""
        return min(self.max_delay, self.base_delay * 2 ** (failed_attempts - 1))


@dataclass
class Outcome:
    ok: bool
    attempts: int
    error: str | None = None


def describe(error: BaseException) -> str:
    text = str(error) or error.__class__.__name__
    return f"{error.__class__.__name__}: {text}"


def with_retries(send: Callable[[], None], policy: RetryPolicy, label: str) -> Outcome:
    """Call `send` until it returns, up to `policy.attempts` times; never raises."""
    error: str | None = None
    for attempt in range(1, policy.attempts + 1):
        try:
            send()
            return Outcome(ok=True, attempts=attempt)
        except Exception as exc:  # any failure of a sink, whatever its type, is a failed attempt
            error = describe(exc)
            logger.info("%s: attempt %d/%d failed: %s", label, attempt, policy.attempts, error)
        if attempt < policy.attempts:
            time.sleep(policy.delay(attempt))
    return Outcome(ok=False, attempts=policy.attempts, error=error)
