"""`cx-pipeline generate`: seeded demo exports in the landing layout."""

from __future__ import annotations

import argparse
import time
from datetime import date


def cmd_generate(args: argparse.Namespace) -> int:
    from cx_pipeline.generate import generate
    from cx_pipeline.settings import current

    settings = current()
    started = time.monotonic()
    summary = generate(
        settings.data_dir,
        date.fromisoformat(args.start),
        args.days,
        scale=args.scale,
        seed=args.seed,
        defects=not args.no_defects,
    )
    print(
        f"generated {args.days} days from {args.start} into {settings.landing_dir} in "
        f"{time.monotonic() - started:.1f}s: {summary}"
    )
    return 0
