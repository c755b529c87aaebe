"""The command line: every command, its arguments and the function that runs it."""

from __future__ import annotations

import argparse

from cx_pipeline.cli import DESCRIPTION
from cx_pipeline.cli.demo import cmd_demo
from cx_pipeline.cli.generate import cmd_generate
from cx_pipeline.cli.load import cmd_load
from cx_pipeline.cli.report import cmd_report
from cx_pipeline.cli.sql import cmd_sql
from cx_pipeline.cli.validate import cmd_validate
from cx_pipeline.ingest.canonical import SOURCES


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cx-pipeline", description=DESCRIPTION)
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

    report = sub.add_parser("report", help="the HTML report of the published marts")
    report.add_argument("--data-dir")
    report.add_argument("--out", help="the HTML file (default: $CX_REPORT_PATH)")
    report.add_argument("--grain", choices=["week", "month"], default="week")
    report.add_argument("--from", dest="start", help="first period start shown, YYYY-MM-DD")
    report.add_argument("--to", dest="end", help="last period start shown, YYYY-MM-DD")
    report.add_argument("--brand", help="the brand of the review views (default: the own brand)")
    report.set_defaults(func=cmd_report)

    val = sub.add_parser("validate", help="check one export without loading it")
    val.add_argument("file")
    val.add_argument("--source", required=True, choices=list(SOURCES))
    val.add_argument("--profile", help="profile name or YAML path (default: by file name)")
    val.set_defaults(func=cmd_validate)
    return parser
