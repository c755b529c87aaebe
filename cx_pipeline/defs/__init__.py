"""The Dagster definitions, one module per concern, loaded the `dg` way
(`load_from_defs_folder`): raw assets and their load checks, dbt, expectation suites,
the published copy, automation (job, schedule, sensors), resources and partitions."""
