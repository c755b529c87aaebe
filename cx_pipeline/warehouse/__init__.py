"""What the assets do to the DuckDB warehouse beyond loading exports: the resource that
guards its one writer, the dbt project and reference data, check results and their alerts,
the build fingerprint, the published copy and read-only queries of it."""
