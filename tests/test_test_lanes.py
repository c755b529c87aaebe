"""The suite's own scheduling: tests sharing a module's build run on one worker."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

MODULE = """
import pytest

@pytest.fixture(scope="module")
def build():
    return 1

@pytest.mark.parametrize("i", range(4))
def test_shares_the_build(build, i):
    assert build == 1
"""


def test_a_modules_shared_build_keeps_its_tests_on_one_worker(tmp_path):
    # pytest-xdist groups by rewriting node ids, which newer pytest releases keep elsewhere:
    # the grouping then silently stops, and each worker builds (or waits for) the same data.
    shutil.copy(HERE / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_grouped.py").write_text(MODULE)
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p"]
        + ["no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        # conftest.py imports its helper modules from this folder
        env={**os.environ, "PYTHONPATH": str(HERE)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    passed = re.findall(r"\[(gw\d)\].*PASSED \S*test_shares_the_build\S*@(\S+)", completed.stdout)
    assert len(passed) == 4, completed.stdout
    assert {worker for worker, _ in passed} == {passed[0][0]}
    assert {group for _, group in passed} == {"test_grouped"}
