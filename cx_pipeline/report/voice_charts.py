"""The voice-of-the-customer charts as Vega-Lite specifications, built with Altair, marked
like the report's other charts (charts.py: n in the tooltip, the "mark" legend)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from cx_pipeline.report.charts import FLAG_DOMAIN, _flag_group, _marks, _spec, segment_choice
from cx_pipeline.report.closed_loop import IMMATURE

NPS_CATEGORIES = ["detractor", "passive", "promoter"]
NPS_COLORS = ["#c0392b", "#bdc3c7", "#1e8449"]


def feedback_themes(rows: list[dict]) -> dict:
    df = pd.DataFrame(rows)
    df["mark_group"] = df["flag"].map(_flag_group)
    tooltip = [
        "source:N",
        "theme:N",
        alt.Tooltip("shown:N", title="share of the feedback"),
        alt.Tooltip("ci_low:Q", title="95% CI low", format=".1%"),
        alt.Tooltip("ci_high:Q", title="95% CI high", format=".1%"),
        alt.Tooltip("mentions:Q", title="n (mentions)", format=","),
        alt.Tooltip("items:Q", title="feedback items", format=","),
        alt.Tooltip("score:N", title="score of those mentioning it"),
        alt.Tooltip("flag:N", title="mark"),
    ]
    y = alt.Y("theme:N", title=None, sort=alt.EncodingSortField("mentions", order="descending"))
    x = alt.X("share:Q", title="share of the feedback mentioning it", axis=alt.Axis(format="%"))
    bars = alt.Chart().mark_bar(color="#7fa7d0").encode(x=x, y=y, tooltip=tooltip)
    errors = alt.Chart().mark_rule(color="black").encode(x="ci_low:Q", x2="ci_high:Q", y=y)
    points = (
        alt.Chart().mark_point(filled=True, size=60).encode(x=x, y=y, tooltip=tooltip, **_marks())
    )
    chart = (
        alt.layer(bars, errors, points, data=df)
        .properties(width=230, height=alt.Step(20))
        .facet(column=alt.Column("source:N", title=None, sort=list(dict.fromkeys(df["source"]))))
        .resolve_scale(y="independent")
    )
    return _spec(chart)


def nps_mix(rows: list[dict]) -> dict:
    df = pd.DataFrame(rows)
    df["low"] = df["flag"].ne("complete")
    tooltip = [
        "source:N",
        "theme:N",
        "category:N",
        alt.Tooltip("customers:Q", title="responses", format=","),
        alt.Tooltip("nps_n:Q", title="n (with an NPS answer)", format=","),
        alt.Tooltip("nps:Q", title="NPS of those mentioning it", format="+.1f"),
        alt.Tooltip("flag:N", title="mark"),
    ]
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("theme:N", title=None),
            x=alt.X(
                "customers:Q",
                stack="normalize",
                title="NPS categories of those mentioning it",
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color(
                "category:N",
                title="NPS category",
                scale=alt.Scale(domain=NPS_CATEGORIES, range=NPS_COLORS),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("category_order:Q"),
            opacity=alt.condition(alt.datum.low, alt.value(0.5), alt.value(1.0)),
            tooltip=tooltip,
        )
        .transform_calculate(category_order=f"indexof({NPS_CATEGORIES!r}, datum.category)")
        .properties(width=300, height=alt.Step(20))
        .facet(column=alt.Column("source:N", title=None, sort=list(dict.fromkeys(df["source"]))))
    )
    return _spec(chart)


def closed_loop(rows: list[dict], grain: str) -> dict:
    df = pd.DataFrame(rows)
    df["mark_group"] = df["flag"].map(_flag_group)
    x = alt.X("period:T", title=f"{grain} starting", scale=alt.Scale(type="utc"))
    tooltip = [
        alt.Tooltip("period:T", title=f"{grain} of", format="%Y-%m-%d", formatType="utc"),
        alt.Tooltip("shown:N", title="value"),
        alt.Tooltip("ci_low:Q", title="95% CI low", format=".1f"),
        alt.Tooltip("ci_high:Q", title="95% CI high", format=".1f"),
        alt.Tooltip("n:Q", title="n", format=","),
        alt.Tooltip("pending:Q", title="responses still pending", format=","),
        alt.Tooltip("flag:N", title="mark"),
    ]
    base = alt.Chart().encode(x=x)
    band = base.mark_area(opacity=0.25, color="#7fa7d0").encode(
        y=alt.Y("ci_low:Q", title=None, scale=alt.Scale(zero=False)), y2="ci_high:Q"
    )
    line = base.mark_line(color="#1f4e79").encode(y="value:Q")
    domain = [IMMATURE if f.startswith("immature") else f for f in FLAG_DOMAIN]
    points = base.mark_point(filled=True, size=70).encode(
        y="value:Q", tooltip=tooltip, **_marks(domain=domain)
    )
    chart = (
        alt.layer(band, line, points, data=df)
        .properties(width=260, height=150)
        .facet(
            facet=alt.Facet(
                "measure:N",
                title=None,
                sort=list(dict.fromkeys(df.sort_values("order")["measure"])),
            ),
            columns=3,
        )
        .resolve_scale(y="independent")
    )
    return _spec(chart)


def expectations(rows: list[dict]) -> dict:
    df = pd.DataFrame(rows)
    df["mark_group"] = df["flag"].map(_flag_group)
    choice = segment_choice(df, "expectation_segment")
    tooltip = [
        "dimension:N",
        "segment:N",
        alt.Tooltip("shown:N", title="share above the standard"),
        alt.Tooltip("ci_low:Q", title="95% CI low", format=".1%"),
        alt.Tooltip("ci_high:Q", title="95% CI high", format=".1%"),
        alt.Tooltip("standard:N", title="standard + margin"),
        alt.Tooltip("expectation_mean:Q", title="mean expectation", format=".2f"),
        alt.Tooltip("above:Q", title="customers above", format=","),
        alt.Tooltip("n:Q", title="n (customers)", format=","),
        alt.Tooltip("flag:N", title="mark"),
    ]
    base = alt.Chart().transform_filter(alt.datum.segment == choice)
    y = alt.Y("dimension:N", title=None)
    x = alt.X(
        "share:Q",
        title="share of customers expecting more than the standard",
        axis=alt.Axis(format="%"),
        scale=alt.Scale(domain=[0, 1]),
    )
    bars = base.mark_bar(color="#d5a6bd").encode(x=x, y=y, tooltip=tooltip)
    errors = base.mark_rule(color="black").encode(x="ci_low:Q", x2="ci_high:Q", y=y)
    points = base.mark_point(filled=True, size=60).encode(x=x, y=y, tooltip=tooltip, **_marks())
    chart = alt.layer(bars, errors, points, data=df).properties(width=520, height=alt.Step(26))
    return _spec(chart.add_params(choice))
