"""The CX report: one self-contained HTML page of the published marts (KPIs with their
intervals, service-quality gaps, benchmarks, key drivers, agents, churn risk, review themes
and data quality), readable from a file or an e-mail attachment without network."""

from cx_pipeline.report.options import ReportInputError, ReportOptions
from cx_pipeline.report.writer import ReportResult, build_report

__all__ = ["ReportInputError", "ReportOptions", "ReportResult", "build_report"]
