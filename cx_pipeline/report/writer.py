"""Builds the report: reads the published marts, renders the page, writes it atomically."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import jinja2

from cx_pipeline.report import bundle, charts, closed_loop, voice, voice_charts
from cx_pipeline.report.benchmarks import benchmark_rows
from cx_pipeline.report.context import ReportContext, headline_period
from cx_pipeline.report.drivers import driver_rows
from cx_pipeline.report.gaps import gap5_rows, gaps_1_to_4
from cx_pipeline.report.kpis import tiles, trend_rows
from cx_pipeline.report.options import ReportOptions
from cx_pipeline.report.people import HASH_SHOWN, agent_table, churn
from cx_pipeline.report.quality import failed_checks, quarantine
from cx_pipeline.report.reviews import examples, theme_rows
from cx_pipeline.report.source import check, published

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class ReportResult:
    path: Path
    size_bytes: int
    seconds: float
    period: date
    grain: str


def _chart(build, rows, *args) -> dict | None:
    """A chart's spec, or None when there is nothing to draw (the page then says why)."""
    return build(rows, *args) if rows else None


def _sections(ctx: ReportContext) -> dict:
    trend = trend_rows(ctx)
    gap5 = gap5_rows(ctx)
    bench = benchmark_rows(ctx)
    drivers, no_weights = driver_rows(ctx)
    people = churn(ctx)
    themes = theme_rows(ctx)
    quarantined = quarantine(ctx)
    example_list, no_examples = examples(ctx)
    feedback = voice.theme_rows(ctx)
    loop = closed_loop.trend_rows(ctx)
    expectations = voice.expectation_rows(ctx)
    return {
        "tiles": tiles(ctx),
        "charts": {
            "trends": _chart(charts.trends, trend, ctx.grain),
            "gap5": _chart(charts.gap5, gap5),
            "benchmarks": _chart(charts.benchmarks, bench),
            "drivers": _chart(charts.drivers, drivers),
            "churn": _chart(charts.churn, people["by_reason"]),
            "themes": _chart(charts.themes, themes),
            "quarantine": _chart(charts.quarantine, quarantined),
            "voice_themes": _chart(voice_charts.feedback_themes, feedback),
            "voice_nps_mix": _chart(voice_charts.nps_mix, voice.nps_mix_rows(feedback)),
            "closed_loop": _chart(voice_charts.closed_loop, loop, ctx.grain),
            "expectations": _chart(voice_charts.expectations, expectations),
        },
        "gaps_1_to_4": gaps_1_to_4(ctx),
        "benchmark_table": bench,
        "no_weights": no_weights,
        "agents": agent_table(ctx),
        "churn": people,
        "hash_shown": HASH_SHOWN,
        "examples": example_list,
        "no_examples": no_examples,
        "checks": failed_checks(ctx),
        "quarantine": quarantined,
        "voice": {
            "missing": voice.missing(ctx, "mart_feedback_themes"),
            "detractor_themes": voice.detractor_themes(feedback),
            "suggestions": voice.suggestions(ctx),
            "loop_tiles": closed_loop.tiles(ctx),
            "loop_segments": closed_loop.segment_table(ctx),
            "actions": closed_loop.actions(ctx),
        },
    }


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # A spec inside <script type="application/json">: "</" must not end the element early.
    env.filters["spec_json"] = lambda spec: jinja2.utils.markupsafe.Markup(
        json.dumps(spec, separators=(",", ":"), default=str).replace("</", "<\\/")
    )
    return env


def render(
    published_path: Path, options: ReportOptions, cache_dir: Path | None = None
) -> tuple[str, date]:
    with published(published_path) as con:
        own_brand, brands = check(con, published_path, options)
        period, complete, periods = headline_period(con, options)
        ctx = ReportContext(
            con, published_path, options, own_brand, brands, period, complete, periods
        )
        sections = _sections(ctx)
        built_at = datetime.fromtimestamp(published_path.stat().st_mtime, UTC)
    page = (
        _environment()
        .get_template("report.html.j2")
        .render(
            ctx=ctx,
            s=sections,
            published_at=built_at.strftime("%Y-%m-%d %H:%M UTC"),
            generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            vega_js=jinja2.utils.markupsafe.Markup(bundle.javascript(cache_dir)),
        )
    )
    return page, period


def build_report(
    published_path: Path, out: Path, options: ReportOptions, cache_dir: Path | None = None
) -> ReportResult:
    started = time.monotonic()
    page, period = render(published_path, options, cache_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Beside the target and moved over it: a reader (a mail client, a shared folder) never
    # sees half a page. Named like the publish step's copies, so that the next load removes
    # one a killed process left (instance/recovery.py).
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ReportResult(out, out.stat().st_size, time.monotonic() - started, period, options.grain)
