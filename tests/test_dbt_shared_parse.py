"""One dbt parse serves every data directory that shares dbt's target folder: dbt sees the
warehouse and the effective seeds through a fixed symlink (dbt_project.dbt_environment)."""

import os
import threading
import time
from pathlib import Path

from cx_pipeline.settings import Settings
from cx_pipeline.warehouse.dbt_project import DATA_DIR_LINK, dbt_environment, dbt_parse

FULL_PARSE = "Unable to do partial parsing"


def _parse(settings: Settings) -> str:
    completed = dbt_parse(settings.dbt_project_dir, settings)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed.stdout


def test_a_second_data_directory_reuses_the_parse_of_the_first(tmp_path):
    target = tmp_path / "target"
    first, second = (
        Settings.from_env({"CX_DBT_TARGET_PATH": str(target)}).with_data_dir(tmp_path / name)
        for name in ("first", "second")
    )
    _parse(first)
    assert (target / "partial_parse.msgpack").is_file()
    # Another data directory, seeds assembled in it: before the symlink, its own paths in
    # the profile and in `seed-paths` made dbt parse the whole project again.
    output = _parse(second)
    assert FULL_PARSE not in output, output
    link = target / DATA_DIR_LINK
    assert Path(os.readlink(link)) == (tmp_path / "second").resolve()
    assert (link / "reference" / "seeds").resolve() == (
        tmp_path / "second" / "reference" / "seeds"
    ).resolve()
    assert sorted(p.name for p in (tmp_path / "second" / "reference" / "seeds").iterdir())


def test_invocations_sharing_a_target_folder_take_turns(tmp_path):
    target = tmp_path / "target"
    first, second = (
        Settings.from_env({"CX_DBT_TARGET_PATH": str(target)}).with_data_dir(tmp_path / name)
        for name in ("first", "second")
    )
    seen: list[str] = []

    def other():
        with dbt_environment(second):
            seen.append(os.readlink(target / DATA_DIR_LINK))

    with dbt_environment(first):
        thread = threading.Thread(target=other)
        thread.start()
        time.sleep(0.5)
        # The other invocation waits: the link still points where this one's dbt reads.
        assert not seen
        assert Path(os.readlink(target / DATA_DIR_LINK)) == (tmp_path / "first").resolve()
    thread.join(timeout=10)
    assert [Path(p) for p in seen] == [(tmp_path / "second").resolve()]
