"""`cx-pipeline demo`: generate, load everything, then the headline KPIs and where to look."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cx_pipeline.cli.generate import cmd_generate
from cx_pipeline.cli.load import cmd_load


def cmd_demo(args: argparse.Namespace) -> int:
    start = args.start or (datetime.now(UTC).date() - timedelta(days=args.days)).isoformat()
    args.start = start
    args.no_defects = False
    started = time.monotonic()
    cmd_generate(args)
    args.date = None
    args.end = (date.fromisoformat(start) + timedelta(days=args.days - 1)).isoformat()
    code = cmd_load(args)
    print(f"demo took {time.monotonic() - started:.1f}s")
    print()
    print("\n".join(demo_summary(args.data_dir)))
    return code


SQL_EXAMPLE = (
    "SELECT period_start, round(value, 1) AS nps, n FROM marts.mart_cx_kpis "
    "WHERE grain = 'week' AND kpi = 'nps' AND slice_name = 'all' ORDER BY period_start"
)


def demo_summary(data_dir: str | None = None) -> list[str]:
    """What to look at once the demo has loaded: headline KPIs and where everything is."""
    from cx_pipeline.cli.headline import headline_lines
    from cx_pipeline.settings import current

    settings = current()
    lines = headline_lines(settings.published_path)
    lines.append(f"warehouse: {settings.warehouse_path}")
    lines.append(f"published marts: {settings.published_path}")
    dir_flag = f" --data-dir {data_dir}" if data_dir else ""
    command = _command_name()
    env = f"CX_DATA_DIR={settings.data_dir} DAGSTER_HOME={settings.dagster_home} "
    env = env if data_dir else ""
    lines.append(f"Dagster UI: {env}make dev, then open http://localhost:3000")
    lines.append(f'try: {command} sql{dir_flag} "{SQL_EXAMPLE}"')
    # Last, so that it is what the terminal shows at the end: the publish built it.
    if settings.report_path.is_file():
        lines.append(
            f"CX report (one self-contained HTML page, open it in a browser): "
            f"{settings.report_path}; other periods: {command} report{dir_flag} --help"
        )
    elif "report" in _commands():
        lines.append(f"CX report: {command} report{dir_flag} --out report.html")
    return lines


def _command_name() -> str:
    """`cx-pipeline` when it is on PATH, else its path in the virtualenv (`make demo`)."""
    import shutil

    if shutil.which("cx-pipeline"):
        return "cx-pipeline"
    script = Path(sys.executable).parent / "cx-pipeline"
    if not script.exists():
        return "cx-pipeline"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


def _commands() -> set[str]:
    from cx_pipeline.cli.parser import build_parser

    for action in build_parser()._subparsers._group_actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()
