"""`cx-pipeline validate`: check one export without loading it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cx_pipeline.cli.options import UsageError


def cmd_validate(args: argparse.Namespace) -> int:
    from cx_pipeline.ingest.profiles import ProfileError
    from cx_pipeline.ingest.validate import format_report, validate_file

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
