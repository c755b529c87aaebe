"""`cx-pipeline`: generate demo exports, load partitions through Dagster, run the demo."""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path


def _set_data_dir(data_dir: str | None) -> None:
    import os

    if data_dir:
        os.environ["CX_DATA_DIR"] = str(Path(data_dir).expanduser().resolve())


def cmd_generate(args: argparse.Namespace) -> int:
    from cx_pipeline import settings
    from cx_pipeline.generate import generate

    _set_data_dir(args.data_dir)
    started = time.monotonic()
    summary = generate(
        settings.data_dir(),
        date.fromisoformat(args.start),
        args.days,
        scale=args.scale,
        seed=args.seed,
        defects=not args.no_defects,
    )
    print(
        f"generated {args.days} days from {args.start} into {settings.landing_dir()} in "
        f"{time.monotonic() - started:.1f}s: {summary}"
    )
    return 0


def _resolve_range(args: argparse.Namespace) -> tuple[str, str] | None:
    from cx_pipeline.load import landed_days

    if args.date:
        return args.date, args.date
    if args.start or args.end:
        if not (args.start and args.end):
            raise SystemExit("--start and --end go together")
        return args.start, args.end
    days = landed_days()
    if not days:
        return None
    return days[0], days[-1]


def cmd_load(args: argparse.Namespace) -> int:
    from cx_pipeline import reference, settings
    from cx_pipeline.load import format_outcome, load_range

    _set_data_dir(args.data_dir)
    # Before any run: the build would stop on the file anyway, with a database error.
    try:
        reference.validate()
    except reference.ReferenceDataError as exc:
        print(f"reference data: {exc}", file=sys.stderr)
        return 2
    if settings.pii_salt()[1]:
        print(
            "WARNING: CX_PII_SALT is not set: personal ids are hashed with the public demo "
            "salt, which anyone can reverse by hashing guesses. Set CX_PII_SALT to a secret "
            "for real data.",
            file=sys.stderr,
        )
    window = _resolve_range(args)
    if window is None:
        print(f"nothing to load: no dated folders under {settings.landing_dir()}")
        return 1
    started = time.monotonic()
    outcome = load_range(*window)
    print(format_outcome(outcome))
    print(f"load took {time.monotonic() - started:.1f}s")
    return 0 if outcome.ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from cx_pipeline import settings

    _set_data_dir(args.data_dir)
    start = args.start or (datetime.now(UTC).date() - timedelta(days=args.days)).isoformat()
    args.start = start
    args.no_defects = False
    started = time.monotonic()
    cmd_generate(args)
    args.date = None
    args.end = (date.fromisoformat(start) + timedelta(days=args.days - 1)).isoformat()
    code = cmd_load(args)
    print(f"demo took {time.monotonic() - started:.1f}s")
    print(f"warehouse: {settings.warehouse_path()}")
    print(f"published marts (query with `cx-pipeline sql`): {settings.published_path()}")
    return code


def cmd_validate(args: argparse.Namespace) -> int:
    from cx_pipeline.ingest.profiles import ProfileError
    from cx_pipeline.validate import format_report, validate_file

    path = Path(args.file)
    if not path.is_file():
        print(f"no such file: {path}")
        return 2
    try:
        report = validate_file(path, args.source, args.profile)
    except ProfileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_report(report))
    return report.exit_code


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    from cx_pipeline.query import NotPublished, render, run_query

    _set_data_dir(args.data_dir)
    try:
        columns, rows = run_query(args.query)
    except NotPublished as exc:
        print(exc, file=sys.stderr)
        return 2
    except duckdb.Error as exc:
        print(f"query failed: {exc}", file=sys.stderr)
        return 1
    print(render(columns, rows, args.format, raw_csv=args.raw_csv))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cx-pipeline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write seeded demo exports into the landing folders")
    gen.add_argument("--data-dir", help="defaults to $CX_DATA_DIR or ./data")
    gen.add_argument("--start", required=True, help="first day, YYYY-MM-DD")
    gen.add_argument("--days", type=int, default=90)
    gen.add_argument("--scale", type=float, default=1.0, help="1 = ~1,000 tickets a day")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--no-defects", action="store_true", help="no duplicates, late or bad rows")
    gen.set_defaults(func=cmd_generate)

    load = sub.add_parser("load", help="materialize landed partitions through Dagster")
    load.add_argument("--data-dir")
    which = load.add_mutually_exclusive_group(required=True)
    which.add_argument("--date", help="one day, YYYY-MM-DD")
    which.add_argument("--start", help="first day of a range (with --end)")
    which.add_argument("--all", action="store_true", help="every landed day")
    load.add_argument("--end", help="last day of a range")
    load.set_defaults(func=cmd_load)

    demo = sub.add_parser("demo", help="generate demo exports, then load them all")
    demo.add_argument("--data-dir")
    demo.add_argument("--start", help="first day (default: --days days before today)")
    demo.add_argument("--days", type=int, default=90)
    demo.add_argument("--scale", type=float, default=1.0)
    demo.add_argument("--seed", type=int, default=42)
    demo.set_defaults(func=cmd_demo)
    sql = sub.add_parser("sql", help="read-only SQL over the published marts")
    sql.add_argument("query")
    sql.add_argument("--data-dir")
    sql.add_argument("--format", choices=["table", "csv", "json", "html"], default="table")
    sql.add_argument(
        "--raw-csv",
        action="store_true",
        help="CSV cells exactly as stored: no leading ' on text a spreadsheet would run as a "
        "formula (=, +, -, @, tab, CR); for programs, never for spreadsheets",
    )
    sql.set_defaults(func=cmd_sql)

    val = sub.add_parser("validate", help="check one export without loading it")
    val.add_argument("file")
    val.add_argument("--source", required=True, choices=["surveys", "tickets", "reviews"])
    val.add_argument("--profile", help="profile name or YAML path (default: by file name)")
    val.set_defaults(func=cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    from cx_pipeline import settings

    settings.disable_telemetry()
    warnings.filterwarnings("ignore", message=".*is currently in beta.*")
    warnings.filterwarnings("ignore", message=".*is currently in preview.*")
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
