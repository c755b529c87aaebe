"""The dbt project as Dagster sees it, with its manifest prepared before definitions load."""

from __future__ import annotations

import fcntl
import importlib.metadata
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from cx_pipeline.settings import Settings, current
from cx_pipeline.warehouse import reference


def dbt_executable() -> str:
    # The dbt beside this interpreter, so that the CLI works without an activated venv.
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


# Where dbt finds the data directory it builds: a symlink in its target folder.
DATA_DIR_LINK = "data-dir"


@contextmanager
def dbt_environment(settings: Settings | None = None) -> Iterator[dict[str, str]]:
    """The variables of one dbt invocation against `settings.data_dir`, for as long as it runs.

    dbt parses the whole project again (about 10 s) whenever a profile value or a variable
    that `dbt_project.yml` reads differs from its last parse, and the warehouse file and the
    effective seed folder both live in the data directory. So dbt reaches them through a
    fixed path, a symlink in its target folder pointed at this data directory: one parse
    serves every data directory that shares the target folder. Invocations sharing the
    folder take turns, as they must anyway (they share its partial-parse state and
    artifacts, which dbt does not guard).
    """
    settings = settings or current()
    seeds = reference.assemble(settings)
    target = settings.dbt_target_path
    target.mkdir(parents=True, exist_ok=True)
    with (target / ".invocation.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        link = target / DATA_DIR_LINK
        _point(link, settings.data_dir.resolve())
        yield {
            "CX_DATA_DIR": str(link),
            reference.SEEDS_ENV: str(link / seeds.relative_to(settings.data_dir)),
        }


def _point(link: Path, folder: Path) -> None:
    if link.is_symlink() and Path(os.readlink(link)) == folder:
        return
    staged = link.with_name(f".{link.name}.{os.getpid()}")
    staged.unlink(missing_ok=True)
    staged.symlink_to(folder, target_is_directory=True)
    os.replace(staged, link)


def _newest_source_mtime(project_dir: Path) -> float:
    paths = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        paths.extend((project_dir / folder).rglob("*"))
    return max((p.stat().st_mtime for p in paths if p.is_file()), default=0.0)


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


def ensure_manifest(project_dir: Path, settings: Settings | None = None) -> Path:
    """Parse the project when its manifest is missing, cut short or older than its sources."""
    settings = settings or current()
    manifest = settings.dbt_target_path / "manifest.json"
    manifest.parent.mkdir(parents=True, exist_ok=True)
    # Processes that start together (test workers, the UI and the daemon) would otherwise
    # parse into the same folder at once, and one would read the other's half-written file.
    with (manifest.parent / ".parse.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _parse_unless_current(project_dir, settings, manifest)


def _parse_unless_current(project_dir: Path, settings: Settings, manifest: Path) -> Path:
    if (
        manifest.exists()
        and manifest.stat().st_mtime >= _newest_source_mtime(project_dir)
        and _whole(manifest)
    ):
        return manifest
    completed = dbt_parse(project_dir, settings, "--quiet")
    if completed.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{completed.stdout}\n{completed.stderr}")
    return manifest


def dbt_parse(project_dir: Path, settings: Settings, *flags: str) -> subprocess.CompletedProcess:
    """`dbt parse` into the target folder, with the variables a build gives dbt, so that the
    build finds this parse reusable."""
    with dbt_environment(settings) as dbt_env:
        return subprocess.run(
            [
                dbt_executable(),
                "parse",
                *flags,
                "--project-dir",
                str(project_dir),
                "--profiles-dir",
                str(project_dir),
                "--target-path",
                str(settings.dbt_target_path),
            ],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **dbt_env},
        )


def definitions_manifest(project_dir: Path, settings: Settings | None = None) -> Path:
    """A copy of the current manifest that only this function writes, whole or not at all.

    dbt rewrites manifest.json in place at the end of every build, also the build of another
    process sharing the target folder (a load, or a `dbt parse` whose load was killed and
    that keeps running): the definitions read this copy, so they never see a half-written
    file.
    """
    settings = settings or current()
    manifest = settings.dbt_target_path / "manifest.json"
    snapshot = manifest.with_name("manifest.definitions.json")
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with (manifest.parent / ".parse.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for _ in range(3):
            _parse_unless_current(project_dir, settings, manifest)
            content = manifest.read_bytes()
            try:
                json.loads(content)
            except ValueError:
                continue  # rewritten while we read it: parse or read again
            partial = snapshot.with_name(f".{snapshot.name}.{os.getpid()}")
            partial.write_bytes(content)
            os.replace(partial, snapshot)
            return snapshot
    raise RuntimeError(f"{manifest} is rewritten by another process as it is read")


def cx_dbt_project(settings: Settings | None = None) -> DbtProject:
    settings = settings or current()
    project_dir = settings.dbt_project_dir
    ensure_manifest(project_dir, settings)
    return DbtProject(
        project_dir=project_dir, profiles_dir=project_dir, target_path=settings.dbt_target_path
    )


class CxDbtCliResource(DbtCliResource):
    """dagster-dbt asks the dbt executable its version (`dbt --version`, ~3 s per run);
    the dbt beside this interpreter is the dbt-core package installed here."""

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).parent == Path(sys.executable).parent:
            return version.parse(importlib.metadata.version("dbt-core"))
        return super()._cli_version
