"""The one place that imports Great Expectations.

Importing GX takes seconds and, unless told otherwise, it phones home; so it is imported
lazily (building the Dagster definitions or the CLI must not pay for it) and only after
analytics are switched off.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from types import ModuleType


@cache
def gx() -> ModuleType:
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations

    # GX logs an error with a traceback for every expectation it cannot build and then
    # drops it; suites.load_suite raises instead, so the log line is noise.
    logging.getLogger("great_expectations.core.expectation_suite").setLevel(logging.CRITICAL)
    return great_expectations


def ephemeral_context():
    """An in-memory GX context: no project folder, no Data Docs, no progress bars."""
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx().get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context
