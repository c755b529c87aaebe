"""`cx-pipeline`: generate demo exports, load partitions through Dagster, run the demo."""

DESCRIPTION = __doc__

from cx_pipeline.cli.main import main  # noqa: E402

__all__ = ["DESCRIPTION", "main"]
