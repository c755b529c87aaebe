"""What the Dagster UI shows after a real load, read through its GraphQL API: each check's
latest execution status as its result says, and row counts on the raw partitions."""

from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import ROOT, cli
from dagster_graphql.test.utils import define_out_of_process_context, execute_dagster_graphql

RAW = ["survey_responses", "ticket_events", "reviews"]
DAYS = ["2025-05-05", "2025-05-06"]

ASSETS_QUERY = """
query Assets($keys: [AssetKeyInput!]) {
  assetNodes(assetKeys: $keys) {
    assetKey { path }
    description
    owners { ... on TeamAssetOwner { team } ... on UserAssetOwner { email } }
    internalFreshnessPolicy { __typename }
    metadataEntries { label }
    assetChecksOrError {
      ... on AssetChecks {
        checks {
          name
          description
          executionForLatestMaterialization { status runId }
          partitionStatuses {
            ... on AssetCheckTimePartitionStatuses { ranges { startKey endKey status } }
          }
        }
      }
    }
  }
}
"""

MATERIALIZATIONS_QUERY = """
query Materializations($key: AssetKeyInput!, $partitions: [String!]) {
  assetOrError(assetKey: $key) {
    ... on Asset {
      assetMaterializations(partitions: $partitions, limit: 1) {
        partition
        runId
        metadataEntries { label ... on IntMetadataEntry { intValue } }
      }
    }
  }
}
"""


@pytest.fixture(scope="module")
def two_days(tmp_path_factory) -> Path:
    """Two clean generated days loaded in one run over the range (the CLI's `load --all`)."""
    data_dir = tmp_path_factory.mktemp("cx_ui")
    cli(
        data_dir,
        *("generate", "--start", DAYS[0], "--days", "2", "--scale", "0.2", "--seed", "5"),
        "--no-defects",
    )
    cli(data_dir, "load", "--all")
    return data_dir


@pytest.fixture
def graphql(two_days, monkeypatch):
    monkeypatch.setenv("CX_DATA_DIR", str(two_days))
    monkeypatch.setenv("DAGSTER_HOME", str(two_days / "dagster_home"))
    with dg.DagsterInstance.get() as instance:
        with define_out_of_process_context(str(ROOT / "workspace.yaml"), None, instance) as ctx:
            yield lambda query, variables=None: execute_dagster_graphql(ctx, query, variables).data


def _nodes(graphql, keys):
    data = graphql(ASSETS_QUERY, {"keys": [{"path": k} for k in keys]})
    return {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}


def test_raw_checks_show_their_results_and_partitions_their_row_counts(two_days, graphql):
    nodes = _nodes(graphql, [["raw", t] for t in RAW])
    assert len(nodes) == 3
    with duckdb.connect(str(two_days / "warehouse" / "cx.duckdb"), read_only=True) as con:
        for table in RAW:
            node = nodes[f"raw/{table}"]
            checks = {c["name"]: c for c in node["assetChecksOrError"]["checks"]}
            assert set(checks) == {"reconciliation", "quarantine_share", "expectations"}
            for name, check in checks.items():
                execution = check["executionForLatestMaterialization"]
                assert execution is not None, (table, name)
                assert execution["status"] == "SUCCEEDED", (table, name, execution)
                # What the asset's check tab shows per day: a check planned per partition but
                # evaluated once for the range run showed every day as skipped.
                ranges = (check["partitionStatuses"] or {}).get("ranges") or []
                assert all(r["status"] == "SUCCEEDED" for r in ranges), (table, name, ranges)
            for day in DAYS:
                data = graphql(
                    MATERIALIZATIONS_QUERY, {"key": {"path": ["raw", table]}, "partitions": [day]}
                )
                (mat,) = data["assetOrError"]["assetMaterializations"]
                assert mat["partition"] == day
                meta = {e["label"]: e.get("intValue") for e in mat["metadataEntries"]}
                expected = con.execute(
                    f"SELECT count(*) FROM raw.{table} WHERE _partition_date = ?", [day]
                ).fetchone()[0]
                assert expected > 0
                assert meta["dagster/row_count"] == expected, (table, day)


def test_every_asset_has_owners_and_a_description_and_tests_say_what_they_test(graphql):
    data = graphql(ASSETS_QUERY, {"keys": None})
    nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
    assert "marts/mart_cx_kpis" in nodes and "published/cx_marts" in nodes
    for key, node in nodes.items():
        assert {"team": "data-engineering"} in node["owners"], key
        assert node["description"], key
        assert "<date>" not in node["description"], key
        if key.startswith(("raw/", "marts/")):
            assert node["internalFreshnessPolicy"], key
            assert "dagster/column_schema" in {e["label"] for e in node["metadataEntries"]}, key
        for check in node["assetChecksOrError"]["checks"]:
            assert check["description"], (key, check["name"])
    kpi_checks = {
        c["name"]: c["description"]
        for c in nodes["marts/mart_cx_kpis"]["assetChecksOrError"]["checks"]
    }
    (unique_grain,) = [d for n, d in kpi_checks.items() if n.startswith("unique_combination")]
    assert "marts.mart_cx_kpis" in unique_grain and "kpi" in unique_grain


def test_dbt_models_carry_row_counts_of_their_tables(two_days, graphql):
    with duckdb.connect(str(two_days / "warehouse" / "cx.duckdb"), read_only=True) as con:
        for schema, model in [("marts", "mart_cx_kpis"), ("staging", "stg_reviews")]:
            data = graphql(MATERIALIZATIONS_QUERY, {"key": {"path": [schema, model]}})
            (mat,) = data["assetOrError"]["assetMaterializations"]
            meta = {e["label"]: e.get("intValue") for e in mat["metadataEntries"]}
            expected = con.execute(f"SELECT count(*) FROM {schema}.{model}").fetchone()[0]
            assert meta["dagster/row_count"] == expected, model
            assert "dagster/column_schema" in meta, model
