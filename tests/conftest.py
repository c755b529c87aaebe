import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REALDATA = ROOT.parent / "shared" / "realdata"

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
# Files a test writes are complete when it loads them: no settling wait (tested on its own).
os.environ.setdefault("CX_LANDING_SETTLE_SECONDS", "0")


def cli(
    data_dir: Path, *args: str, check: bool = True, env: dict[str, str | None] | None = None
) -> subprocess.CompletedProcess:
    """Run `cx-pipeline` as a user would, in its own process, against `data_dir`; `env` sets
    variables on top of this process's environment (None removes one)."""
    extra = env or {}
    env = {**os.environ, "CX_DATA_DIR": str(data_dir)}
    for name, value in extra.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    env.pop("DAGSTER_HOME", None)
    completed = subprocess.run(
        [sys.executable, "-m", "cx_pipeline.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if check and completed.returncode != 0:
        raise AssertionError(
            f"cx-pipeline {' '.join(args)} exited {completed.returncode}\n"
            f"{completed.stdout[-4000:]}\n{completed.stderr[-4000:]}"
        )
    return completed


@pytest.fixture(scope="session")
def loaded_demo(tmp_path_factory) -> Path:
    """Three generated days (with defects), loaded in one Dagster run."""
    data_dir = tmp_path_factory.mktemp("cx_demo")
    cli(
        data_dir,
        "generate",
        "--start",
        "2025-03-03",
        "--days",
        "3",
        "--scale",
        "0.5",
        "--seed",
        "11",
    )
    cli(data_dir, "load", "--all")
    return data_dir
