"""Secrets never leave the environment: after a real run with a sentinel FRED key and SEC contact (the two
providers that use them), neither appears in the CLI's output, the run log, dlt's state, Dagster's event log, or
any text in the warehouse or its published copy."""

import subprocess
from pathlib import Path

import duckdb
import pytest

from tests.conftest import FAULTLINES, cli_env

pytestmark = pytest.mark.slow

FRED_KEY = "5e7f1a2b3c4d5e6f7a8b9c0d1e2f3a4b"  # 32 lowercase hex, the shape FRED (and the emulator) accept
SEC_CONTACT = "sentinel-contact-7f3a@example.invalid"
SENTINELS = (FRED_KEY, SEC_CONTACT)


def _text_columns_containing(path: Path, needle: str) -> list[str]:
    hits = []
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute("""select table_schema, table_name, column_name from information_schema.columns
                                 where data_type in ('VARCHAR', 'JSON')""").fetchall()
        for schema, table, column in columns:
            found = con.execute(f'select count(*) from "{schema}"."{table}" where "{column}" like ?',
                                [f"%{needle}%"]).fetchone()[0]
            if found:
                hits.append(f"{schema}.{table}.{column}")
    return hits


def test_no_secret_anywhere_after_a_run(sample_dir, tmp_path):
    home = tmp_path / "home"
    env = cli_env(home, FRED_API_KEY=FRED_KEY, FAULTLINES_SEC_CONTACT=SEC_CONTACT)
    result = subprocess.run([FAULTLINES, "run", "--mode", "replay",
                             "--data-dir", str(sample_dir), "--select", "key:raw_fred/series or key:raw_sec/companies"],
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    for sentinel in SENTINELS:
        assert sentinel not in result.stdout + result.stderr
    files = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files) and any("dagster" in p.parts for p in files)
    assert any("dlt" in p.parts for p in files), "dlt's state is among the files searched"
    for path in files:
        data = path.read_bytes()
        for sentinel in SENTINELS:
            assert sentinel.encode() not in data, f"{sentinel[:6]}… found in {path.relative_to(home)}"
    warehouse, published = home / "warehouse" / "replay.duckdb", home / "published" / "replay.duckdb"
    assert published.exists()
    for database in (warehouse, published):
        for sentinel in SENTINELS:
            assert _text_columns_containing(database, sentinel) == [], database.name
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw_fred.vintages").fetchone()[0] > 0, "the key was used"
