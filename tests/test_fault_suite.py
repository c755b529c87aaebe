"""The fault suite's core on a tiny data set: loads killed with SIGKILL at random moments
recover to the uninterrupted build, and readers never fail meanwhile."""

import json
import subprocess
import sys

import pytest
from conftest import ROOT


@pytest.mark.slow
def test_killed_loads_recover_to_the_uninterrupted_build(tmp_path):
    work = tmp_path / "faults"
    completed = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "faults.py"), "--trials", "2", "--seed", "4"]
        + ["--data-dir", str(work), "--days", "2", "--scale", "0.05", "--readers"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    report = json.loads((work / "faults.json").read_text())
    summary = report["summary"]
    assert summary["trials"] == summary["survived"] == 2
    assert summary["reader_errors"] == 0 and summary["reader_queries"] > 0
    for trial in report["trials"]:
        assert trial["published_after_kill"] in ("old", "new")
        assert trial["marts_equal"] and trial["reconciliation"] and trial["tmp_left"] == 0
