"""Vega, Vega-Lite and vega-embed as one script to inline in the page, so that it draws its
charts without any network. vl-convert ships the libraries and bundles them (about 0.9 MB,
4 s of CPU), so the bundle is kept per library version, in the process and on disk."""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

import altair as alt


def vega_lite_version() -> str:
    """The Vega-Lite minor version Altair writes its specifications for (e.g. "6.4")."""
    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


@functools.cache
def javascript(cache_dir: Path | None = None) -> str:
    import vl_convert

    version = vega_lite_version()
    name = f"vega-bundle-vlc{vl_convert.__version__}-vl{version}.js"
    cached = cache_dir / name if cache_dir else None
    if cached and cached.is_file():
        return cached.read_text(encoding="utf-8")
    script = vl_convert.javascript_bundle(vl_version=version)
    # Inside a <script> element nothing may close it early.
    script = script.replace("</script", "<\\/script")
    if cached:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cached.parent, prefix=".bundle.", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(script)
            os.replace(tmp, cached)
        except OSError:
            pass  # a read-only home: the next report bundles again, nothing worse
    return script
