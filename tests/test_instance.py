import dagster as dg

from cx_pipeline.instance.home import ensure_dagster_home

# What earlier versions wrote, storage class included.
OLD_DAGSTER_YAML = """\
# Written by cx-pipeline; edit freely, it is not overwritten.
telemetry:
  enabled: false
# The stock SQLite event log without an fsync per event (see cx_pipeline/event_log.py).
event_log_storage:
  module: cx_pipeline.event_log
  class: FastSqliteEventLogStorage
concurrency:
  pools:
    granularity: run
    default_limit: 1
"""


def _storage_classes(home) -> set[str]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        instance.get_runs()
        return {
            type(instance.event_log_storage).__module__,
            type(instance.run_storage).__module__,
        }


def test_a_new_dagster_home_uses_dagsters_own_storage(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    home = ensure_dagster_home()
    modules = _storage_classes(home)
    assert all(m.startswith("dagster.") for m in modules), modules
    assert (tmp_path / "home" / "history").is_dir()


def test_an_older_dagster_home_drops_the_removed_storage_class(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text(OLD_DAGSTER_YAML)
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    ensure_dagster_home()
    text = (home / "dagster.yaml").read_text()
    assert "event_log" not in text
    assert "default_limit: 1" in text and "enabled: false" in text
    modules = _storage_classes(home)
    assert all(m.startswith("dagster.") for m in modules), modules
