"""`cx-pipeline load`: materialize landed partitions through Dagster in one run."""

from __future__ import annotations

import argparse
import sys
import time

from cx_pipeline.cli.options import UsageError, _day


def _resolve_range(args: argparse.Namespace) -> tuple[str, str] | None:
    # Imported once CX_DATA_DIR is set: the partitions start at the oldest landing folder.
    from cx_pipeline.defs.partitions import landed_days, out_of_partitions, today
    from cx_pipeline.ingest.canonical import SOURCES
    from cx_pipeline.settings import current

    landed = landed_days(current())
    if args.date:
        day = _day("--date", args.date)
        reason = out_of_partitions(day)
        if reason:
            raise UsageError(reason)
        if day not in landed:
            # A run of a day without a folder would replace that day's rows with nothing.
            raise UsageError(
                f"no landing folder for {day}: none of "
                f"{current().landing_dir}/{{{','.join(SOURCES)}}}/{day}/ exists"
            )
        return day, day
    if args.start or args.end:
        if not (args.start and args.end):
            raise UsageError("--start and --end go together")
        start, end = _day("--start", args.start), _day("--end", args.end)
        if start > end:
            raise UsageError(f"--start {start} is after --end {end}")
        for day in (start, end):
            reason = out_of_partitions(day)
            if reason:
                raise UsageError(reason)
        if not any(start <= day <= end for day in landed):
            raise UsageError(f"no landing folder between {start} and {end}")
        return start, end
    # Folders before the first partition are reported when the partitions are built.
    for day in landed:
        if day > today():
            print(f"skipped landing folder {day}: {out_of_partitions(day)}", file=sys.stderr)
    loadable = [day for day in landed if out_of_partitions(day) is None]
    if not loadable:
        return None
    return loadable[0], loadable[-1]


def cmd_load(args: argparse.Namespace) -> int:
    from cx_pipeline.settings import current
    from cx_pipeline.warehouse import reference

    settings = current()
    # Before any run: the build would stop on the file anyway, with a database error.
    try:
        reference.validate(settings)
    except reference.ReferenceDataError as exc:
        print(f"reference data: {exc}", file=sys.stderr)
        return 2
    window = _resolve_range(args)
    if settings.pii_salt[1]:
        print(
            "WARNING: CX_PII_SALT is not set: personal ids are hashed with the public demo "
            "salt, which anyone can reverse by hashing guesses. Set CX_PII_SALT to a secret "
            "for real data.",
            file=sys.stderr,
        )
    if window is None:
        print(f"nothing to load: no dated folders under {settings.landing_dir}")
        return 1
    from cx_pipeline.instance.in_process_run import format_outcome, load_range
    from cx_pipeline.instance.progress import Progress

    started = time.monotonic()
    outcome = load_range(*window, progress=Progress(quiet=args.quiet), settings=settings)
    print(format_outcome(outcome, settings))
    print(f"load took {time.monotonic() - started:.1f}s")
    return 0 if outcome.ok else 1
