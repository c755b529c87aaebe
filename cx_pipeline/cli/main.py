"""Start-up of every `cx-pipeline` command."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from cx_pipeline.cli.options import UsageError
from cx_pipeline.cli.parser import build_parser


def _data_dir(args) -> Path | None:
    value = getattr(args, "data_dir", None)
    return Path(value).expanduser().resolve() if value else None


def main(argv: list[str] | None = None) -> int:
    from cx_pipeline import settings

    settings.disable_telemetry()
    warnings.filterwarnings("ignore", message=".*is currently in beta.*")
    warnings.filterwarnings("ignore", message=".*is currently in preview.*")
    args = build_parser().parse_args(argv)
    try:
        # The settings of the whole command, built once; the Dagster definitions, imported
        # later, are built from them.
        settings.start(settings.Settings.from_env().with_data_dir(_data_dir(args)))
        return args.func(args)
    except (UsageError, settings.SettingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
