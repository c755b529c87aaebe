"""`cx-pipeline sql`: read-only SQL over the published marts."""

from __future__ import annotations

import argparse
import sys


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    from cx_pipeline.warehouse.query import NotPublished, render, run_query

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
