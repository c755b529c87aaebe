"""Dagster entry point (`dagster dev -w workspace.yaml`, the daemon's runs, `dg`): the
definitions of every module under `defs/`."""

from pathlib import Path

import dagster as dg

from cx_pipeline import settings

# Start-up of every process that loads the definitions without the CLI.
settings.disable_telemetry()

defs = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
