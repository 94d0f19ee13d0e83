"""`faultlines-dbt`: the dbt command dagster-dbt runs — dbt itself, with `--version` answered without starting dbt.

dagster-dbt runs `<dbt_executable> --version` before every invocation to learn which dbt it drives; starting dbt
for that costs about 4 s of imports per step. The executable is dagster-dbt's public setting, and this one is the
dbt-core installed beside it, so the package metadata knows the answer. Everything else is dbt's own entry point.
"""

import importlib.metadata
import sys

# The process names a dbt child can carry (orchestration.locking ends orphaned ones).
NAMES = ("dbt", "faultlines-dbt")


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        print(f"Core:\n  - installed: {importlib.metadata.version('dbt-core')}")
        return
    from dbt.cli.main import cli

    sys.exit(cli())
