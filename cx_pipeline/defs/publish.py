"""The published marts: materialized only when every upstream blocking check passed."""

import dagster as dg

from cx_pipeline.defs import dbt
from cx_pipeline.defs.catalog import DAILY_FRESHNESS, owners
from cx_pipeline.warehouse import build_state
from cx_pipeline.warehouse.publish_copy import publish
from cx_pipeline.warehouse.resource import WRITER_POOL, WarehouseResource


@dg.asset(
    key=dg.AssetKey(["published", "cx_marts"]),
    group_name="published",
    # Through the module: a second module-level name would load the dbt assets twice.
    deps=[dbt.cx_dbt_models],
    pool=WRITER_POOL,
    kinds={"duckdb"},
    owners=owners(),
    # Neither a build whose blocking checks failed nor a day that delivered nothing new
    # publishes: the copy then ages past this.
    freshness_policy=DAILY_FRESHNESS,
    description=(
        "`published/cx.duckdb`: the marts and audit schemas of a build whose blocking checks "
        "all passed, replaced atomically for analysts."
    ),
)
def published_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    settings = warehouse.settings()
    with warehouse.writer_lock():
        with warehouse.write() as con:
            inputs = build_state.inputs(con, settings)
        rows = publish(warehouse.path, warehouse.published_path, settings.published_storage)
        with warehouse.write() as con:
            build_state.record_published(con, inputs, context.run.run_id)
    context.log.info(f"published {warehouse.published_path}: {rows}")
    return dg.MaterializeResult(
        metadata={
            "path": str(warehouse.published_path),
            "tables": dg.MetadataValue.json(rows),
        }
    )
