"""`cx-pipeline report`: the HTML report of the published marts."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from cx_pipeline.cli.options import UsageError, _day


def _date(flag: str, value: str | None) -> date | None:
    return date.fromisoformat(_day(flag, value)) if value else None


def cmd_report(args: argparse.Namespace) -> int:
    from cx_pipeline.report import ReportInputError, ReportOptions, build_report
    from cx_pipeline.settings import current

    settings = current()
    out = Path(args.out).expanduser().resolve() if args.out else settings.report_path
    try:
        options = ReportOptions(
            grain=args.grain,
            start=_date("--from", args.start),
            end=_date("--to", args.end),
            brand=args.brand,
        )
        result = build_report(settings.published_path, out, options, settings.cache_dir)
    except ReportInputError as exc:
        raise UsageError(str(exc)) from None
    print(
        f"report: {result.path} ({result.size_bytes / 1e6:.1f} MB, {result.grain} of "
        f"{result.period}, built in {result.seconds:.1f} s)"
    )
    return 0
