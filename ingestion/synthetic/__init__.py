"""The synthetic-data generator: deterministic sample data (per seed and end date) in the emulator's data-dir layout.

Not product code: ``ingestion/sources``, ``orchestration`` and dbt never import it. Its two entry points are
sample mode (``ingestion.endpoints.open_endpoints`` calls ``compose.ensure_sample_data``) and the CLI's
``faultlines sample`` (``compose.generate``), both importing it where they use it. Layout and what is coherent
with what: README.md beside this file.
"""
