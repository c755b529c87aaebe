"""The Dagster instance the CLI and `dagster dev` share, and what the CLI does on it: its
home and dagster.yaml, in-process runs with their progress lines, and recovery after a kill."""
