"""`cx-pipeline`: generate demo exports, load partitions through Dagster, run the demo."""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cx_pipeline.ingest.canonical import SOURCES


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


class UsageError(Exception):
    """A request the CLI refuses: one `error:` line on stderr, exit 2."""


def _day(flag: str, value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise UsageError(f"{flag} {value!r} is not a date (YYYY-MM-DD)") from None


def _resolve_range(args: argparse.Namespace) -> tuple[str, str] | None:
    # Imported once CX_DATA_DIR is set: the partitions start at the oldest landing folder.
    from cx_pipeline import settings
    from cx_pipeline.partitions import out_of_partitions, today

    landed = settings.landed_days()
    if args.date:
        day = _day("--date", args.date)
        reason = out_of_partitions(day)
        if reason:
            raise UsageError(reason)
        if day not in landed:
            # A run of a day without a folder would replace that day's rows with nothing.
            raise UsageError(
                f"no landing folder for {day}: none of "
                f"{settings.landing_dir()}/{{{','.join(settings.SOURCES)}}}/{day}/ exists"
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
    from cx_pipeline import reference, settings

    _set_data_dir(args.data_dir)
    # Before any run: the build would stop on the file anyway, with a database error.
    try:
        reference.validate()
    except reference.ReferenceDataError as exc:
        print(f"reference data: {exc}", file=sys.stderr)
        return 2
    window = _resolve_range(args)
    if settings.pii_salt()[1]:
        print(
            "WARNING: CX_PII_SALT is not set: personal ids are hashed with the public demo "
            "salt, which anyone can reverse by hashing guesses. Set CX_PII_SALT to a secret "
            "for real data.",
            file=sys.stderr,
        )
    if window is None:
        print(f"nothing to load: no dated folders under {settings.landing_dir()}")
        return 1
    from cx_pipeline.load import format_outcome, load_range
    from cx_pipeline.progress import Progress

    started = time.monotonic()
    outcome = load_range(*window, progress=Progress(quiet=args.quiet))
    print(format_outcome(outcome))
    print(f"load took {time.monotonic() - started:.1f}s")
    return 0 if outcome.ok else 1


def cmd_demo(args: argparse.Namespace) -> int:

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
    print()
    print("\n".join(demo_summary(args.data_dir)))
    return code


SQL_EXAMPLE = (
    "SELECT period_start, round(value, 1) AS nps, n FROM marts.mart_cx_kpis "
    "WHERE grain = 'week' AND kpi = 'nps' AND slice_name = 'all' ORDER BY period_start"
)


def demo_summary(data_dir: str | None = None) -> list[str]:
    """What to look at once the demo has loaded: headline KPIs and where everything is."""
    from cx_pipeline import settings
    from cx_pipeline.headline import headline_lines

    lines = headline_lines(settings.published_path())
    lines.append(f"warehouse: {settings.warehouse_path()}")
    lines.append(f"published marts: {settings.published_path()}")
    dir_flag = f" --data-dir {data_dir}" if data_dir else ""
    command = _command_name()
    if "report" in _commands():
        lines.append(f"HTML report: {command} report{dir_flag} --out report.html")
    env = f"CX_DATA_DIR={settings.data_dir()} DAGSTER_HOME={settings.dagster_home()} "
    env = env if data_dir else ""
    lines.append(f"Dagster UI: {env}make dev, then open http://localhost:3000")
    lines.append(f'try: {command} sql{dir_flag} "{SQL_EXAMPLE}"')
    return lines


def _command_name() -> str:
    """`cx-pipeline` when it is on PATH, else its path in the virtualenv (`make demo`)."""
    import shutil

    if shutil.which("cx-pipeline"):
        return "cx-pipeline"
    script = Path(sys.executable).parent / "cx-pipeline"
    if not script.exists():
        return "cx-pipeline"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


def _commands() -> set[str]:
    for action in build_parser()._subparsers._group_actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def cmd_validate(args: argparse.Namespace) -> int:
    from cx_pipeline.ingest.profiles import ProfileError
    from cx_pipeline.validate import format_report, validate_file

    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
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
    load.add_argument("--quiet", action="store_true", help="only the summary and errors (cron)")
    load.set_defaults(func=cmd_load)

    demo = sub.add_parser("demo", help="generate demo exports, then load them all")
    demo.add_argument("--data-dir")
    demo.add_argument("--start", help="first day (default: --days days before today)")
    demo.add_argument("--days", type=int, default=90)
    demo.add_argument("--scale", type=float, default=1.0)
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--quiet", action="store_true", help="only the summaries and errors")
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
    val.add_argument("--source", required=True, choices=list(SOURCES))
    val.add_argument("--profile", help="profile name or YAML path (default: by file name)")
    val.set_defaults(func=cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    from cx_pipeline import settings

    settings.disable_telemetry()
    warnings.filterwarnings("ignore", message=".*is currently in beta.*")
    warnings.filterwarnings("ignore", message=".*is currently in preview.*")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (UsageError, settings.SettingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
