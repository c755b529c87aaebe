"""The dbt project as Dagster sees it, with its manifest prepared before definitions load."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from cx_pipeline import reference, settings


def dbt_executable() -> str:
    # The dbt beside this interpreter, so that the CLI works without an activated venv.
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def _newest_source_mtime(project_dir: Path) -> float:
    paths = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        paths.extend((project_dir / folder).rglob("*"))
    return max((p.stat().st_mtime for p in paths if p.is_file()), default=0.0)


def target_dir(project_dir: Path) -> Path:
    """dbt's target folder; CX_DBT_TARGET_PATH lets two checkouts' runs not share one."""
    return Path(os.environ.get("CX_DBT_TARGET_PATH", project_dir / "target")).resolve()


def _whole(manifest: Path) -> bool:
    # dbt writes manifest.json in place, and every `dbt build` of a load rewrites it here: a
    # load killed during that write leaves it cut short yet newer than every source, and
    # each later load would fail to read its definitions.
    try:
        with manifest.open("rb") as handle:
            json.load(handle)
    except (OSError, ValueError):
        return False
    return True


def ensure_manifest(project_dir: Path) -> Path:
    """Parse the project when its manifest is missing, cut short or older than its sources."""
    manifest = target_dir(project_dir) / "manifest.json"
    if (
        manifest.exists()
        and manifest.stat().st_mtime >= _newest_source_mtime(project_dir)
        and _whole(manifest)
    ):
        return manifest
    settings.disable_telemetry()
    completed = subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--quiet",
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
            "--target-path",
            str(manifest.parent),
        ],
        capture_output=True,
        text=True,
        check=False,
        # The seed folder a run reads, so that the run's dbt finds this parse reusable.
        env={**os.environ, **reference.dbt_env()},
    )
    if completed.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{completed.stdout}\n{completed.stderr}")
    return manifest


def cx_dbt_project() -> DbtProject:
    project_dir = settings.dbt_project_dir()
    ensure_manifest(project_dir)
    return DbtProject(
        project_dir=project_dir, profiles_dir=project_dir, target_path=target_dir(project_dir)
    )


class CxDbtCliResource(DbtCliResource):
    """dagster-dbt asks the dbt executable its version (`dbt --version`, ~3 s per run);
    the dbt beside this interpreter is the dbt-core package installed here."""

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            return version.parse(importlib.metadata.version("dbt-core"))
        return super()._cli_version
