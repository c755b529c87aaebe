"""Opens a report in headless Chromium with networking disabled, and tells what a reader
would see: console errors, requests the page tried, marks per chart, the headline tiles.
Used by the browser test and to take the README's screenshot (selenium: dev extras).

    python -m cx_pipeline.report.browser REPORT.html [--screenshot PNG]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")
CHROMEDRIVER = ("chromedriver",)


def executables() -> tuple[str, str] | None:
    """(browser, driver) on PATH, or None when either is missing."""
    browser = next((p for p in map(shutil.which, CHROMIUM) if p), None)
    driver = next((p for p in map(shutil.which, CHROMEDRIVER) if p), None)
    return (browser, driver) if browser and driver else None


@dataclass
class PageSeen:
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every URL other than the page's own
    chart_marks: dict[str, int] = field(default_factory=dict)
    empty_charts: list[str] = field(default_factory=list)
    tiles: dict[str, dict] = field(default_factory=dict)
    rendered: bool = False


def _driver(width: int, height: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    found = executables()
    if found is None:
        raise RuntimeError("chromium and chromedriver are not installed")
    browser, driver = found
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        # No network: names resolve nowhere and any proxied request goes to a closed port.
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(options=options, service=Service(driver))


_MARKS_JS = """
const out = {};
document.querySelectorAll('[data-chart]').forEach(function (el) {
  // Data marks only: axes, legends and titles are groups of other roles.
  const marks = el.querySelectorAll(
    'svg g.role-mark > path, svg g.role-mark > line, svg g.role-mark > text');
  out[el.dataset.chart] = marks.length;
});
return out;
"""
_TILES_JS = """
const out = {};
document.querySelectorAll('.tile[data-kpi]').forEach(function (el) {
  out[el.dataset.kpi] = {value: el.dataset.value, n: el.dataset.n,
    shown: el.querySelector('.value').textContent.trim()};
});
return out;
"""


def inspect(
    report: Path,
    timeout: float = 60.0,
    screenshot: Path | None = None,
    screenshot_height: int | None = None,
) -> PageSeen:
    """What the page shows once its charts are drawn; `screenshot`: a PNG of the page's top
    `screenshot_height` pixels (default: the whole page)."""
    driver = _driver(1400, 1000)
    seen = PageSeen()
    page_url = report.resolve().as_uri()
    try:
        driver.get(page_url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if driver.execute_script("return document.body.dataset.chartsRendered"):
                seen.rendered = True
                break
            time.sleep(0.2)
        seen.chart_marks = driver.execute_script(_MARKS_JS)
        seen.empty_charts = driver.execute_script(
            "return Array.from(document.querySelectorAll('[data-empty-chart]'))"
            ".map(e => e.dataset.emptyChart)"
        )
        seen.tiles = driver.execute_script(_TILES_JS)
        if screenshot is not None:
            height = int(driver.execute_script("return document.body.scrollHeight")) + 40
            driver.set_window_size(1400, min(screenshot_height or height, height, 16000))
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(screenshot))
        seen.console_errors = [
            entry["message"]
            for entry in driver.get_log("browser")
            if entry.get("level") in ("SEVERE", "ERROR")
        ]
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                url = message["params"]["request"]["url"]
                if url != page_url:
                    seen.requests.append(url)
    finally:
        driver.quit()
    return seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--screenshot", type=Path)
    parser.add_argument("--height", type=int, help="pixels of the page's top to capture")
    args = parser.parse_args(argv)
    seen = inspect(args.report, screenshot=args.screenshot, screenshot_height=args.height)
    print(json.dumps(seen.__dict__, indent=2))
    ok = seen.rendered and not seen.console_errors and not seen.requests
    return 0 if ok and all(seen.chart_marks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
