"""Bounded retries: a flaky sink gets a few chances, a dead one cannot stall the run."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from cx_pipeline.alerts.deadline import Deadline
from cx_pipeline.settings import BY_NAME, Settings, current

logger = logging.getLogger("cx_pipeline.alerts")

MAX_DELAY_SECONDS = 4.0


def _env_number(settings: Settings, name: str, cast: type, minimum: float) -> float:
    default = cast(BY_NAME[name].default)
    raw = settings.value(name).strip()
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
    # Total time one sink may spend on one dispatch: every alert, attempt and pause.
    deadline: float = 20.0

    @classmethod
    def from_env(cls, settings: Settings | None = None) -> RetryPolicy:
        settings = settings or current()
        return cls(
            attempts=int(_env_number(settings, "CX_ALERT_RETRIES", int, 1)),
            base_delay=_env_number(settings, "CX_ALERT_RETRY_BASE_SECONDS", float, 0.0),
            timeout=_env_number(settings, "CX_ALERT_TIMEOUT_SECONDS", float, 0.1),
            deadline=_env_number(settings, "CX_ALERT_DEADLINE_SECONDS", float, 0.1),
        )

    def delay(self, failed_attempts: int) -> float:
        """Pause after the n-th failed attempt (1-based): base, 2*base, 4*base... capped."""
        return min(self.max_delay, self.base_delay * 2 ** (failed_attempts - 1))


@dataclass
class Outcome:
    ok: bool
    attempts: int
    error: str | None = None
    timed_out: bool = False


def describe(error: BaseException) -> str:
    text = str(error) or error.__class__.__name__
    return f"{error.__class__.__name__}: {text}"


def with_retries(
    send: Callable[[], None], policy: RetryPolicy, label: str, deadline: Deadline | None = None
) -> Outcome:
    """Call `send` until it returns, up to `policy.attempts` times; never raises.

    With a deadline, no attempt starts once it has passed, and no pause is taken that
    would end after it: the caller's wait is bounded by the deadline, not by the policy.
    """
    error: str | None = None
    attempts = 0
    for attempt in range(1, policy.attempts + 1):
        if deadline is not None and deadline.passed:
            return _out_of_time(attempts, error, deadline)
        attempts = attempt
        try:
            send()
            return Outcome(ok=True, attempts=attempt)
        except Exception as exc:  # any failure of a sink, whatever its type, is a failed attempt
            error = describe(exc)
            logger.info("%s: attempt %d/%d failed: %s", label, attempt, policy.attempts, error)
        if attempt < policy.attempts:
            pause = policy.delay(attempt)
            if deadline is not None and pause >= deadline.remaining():
                return _out_of_time(attempts, error, deadline)
            time.sleep(pause)
    return Outcome(ok=False, attempts=attempts, error=error)


def _out_of_time(attempts: int, error: str | None, deadline: Deadline) -> Outcome:
    text = f"deadline of {deadline.seconds:g} s passed"
    return Outcome(
        ok=False,
        attempts=attempts,
        error=f"{text} (last error: {error})" if error else text,
        timed_out=True,
    )
