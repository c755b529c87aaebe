"""The HTML report, rebuilt from the published marts after every successful publish."""

import dagster as dg

from cx_pipeline.defs import publish
from cx_pipeline.defs.catalog import DAILY_FRESHNESS, owners
from cx_pipeline.report import ReportInputError, ReportOptions, build_report
from cx_pipeline.warehouse.resource import WarehouseResource


@dg.asset(
    key=dg.AssetKey(["published", "cx_report"]),
    group_name="published",
    # Through the module, as publish.py does for dbt: one definition of the published asset.
    deps=[publish.published_marts],
    kinds={"html"},
    owners=owners(),
    # A publish skipped (nothing new) or blocked skips the report too, so it ages with it.
    freshness_policy=DAILY_FRESHNESS,
    # A published file the report cannot use (no KPI rows yet) leaves the page as it was,
    # with a warning, rather than failing a run whose publish succeeded.
    output_required=False,
    description=(
        "`published/cx_report.html` (`CX_REPORT_PATH`): one self-contained HTML page of the "
        "published marts (KPIs, gaps, benchmarks, drivers, agents, churn risk, review themes, "
        "data quality), rebuilt after every successful publish; `cx-pipeline report` builds "
        "others."
    ),
)
def cx_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    settings = warehouse.settings()
    try:
        result = build_report(
            settings.published_path, settings.report_path, ReportOptions(), settings.cache_dir
        )
    except ReportInputError as exc:
        context.log.warning(f"report not rebuilt: {exc}")
        return
    context.log.info(f"report {result.path}: {result.size_bytes:,} bytes in {result.seconds:.1f} s")
    yield dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(result.path)),
            "size_bytes": dg.MetadataValue.int(result.size_bytes),
            "period": f"{result.grain} of {result.period}",
            "build_seconds": dg.MetadataValue.float(round(result.seconds, 2)),
        }
    )
