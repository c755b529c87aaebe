"""Start-up of every `cx-pipeline` command."""

from __future__ import annotations

import sys
import warnings

from cx_pipeline.cli.options import UsageError
from cx_pipeline.cli.parser import build_parser


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
