"""Publishing's own files. A publish killed with SIGKILL leaves its temporary copy (and DuckDB's WAL beside it)
behind; the next publish, which holds the writer lock, so no other publish can be writing, removes them."""

import duckdb
import pytest

from ingestion import settings
from orchestration.locking import writer_lock
from orchestration.readers.publish import publish


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("FAULTLINES_HOME", str(tmp_path))
    warehouse = settings.warehouse_path("sample")
    warehouse.parent.mkdir(parents=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema marts; create table marts.mart_x as select 1 as x")
    return tmp_path


def test_a_killed_publishs_temp_files_are_removed_by_the_next(home):
    published = settings.published_path("sample")
    link = settings.published_parquet_dir("sample")
    published.parent.mkdir()
    stale_copy = published.with_name(f".{published.name}.abc.tmp")
    leftovers = [stale_copy, stale_copy.with_name(stale_copy.name + ".wal")]
    for path in leftovers:
        path.write_bytes(b"\0" * 4096)
    stale_link = link.with_name(f".{link.name}.0badc0de")  # a symlink swap cut short
    stale_link.symlink_to("nowhere")
    leftovers.append(stale_link)
    other_mode = published.with_name(".replay.duckdb.abc.tmp")  # cleaned by a replay publish, not this one
    other_mode.write_bytes(b"\0")

    with writer_lock():
        publish(settings.warehouse_path("sample"), published, link)

    assert [p.name for p in leftovers if p.exists() or p.is_symlink()] == []
    assert other_mode.exists()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select x from marts.mart_x").fetchall() == [(1,)]
    assert [p.name for p in link.resolve().iterdir()] == ["mart_x.parquet"]


def test_a_publish_outside_the_writer_lock_is_refused(home):
    """Removing leftovers is safe only while no other publish can be writing one."""
    with pytest.raises(RuntimeError, match="writer lock"):
        publish(settings.warehouse_path("sample"), settings.published_path("sample"),
                settings.published_parquet_dir("sample"))
    assert not settings.published_path("sample").exists()


def test_a_quote_in_the_published_folder_is_quoted_in_sql(home):
    """FAULTLINES_HOME refuses a `'` (dlt cannot take one), but publishing itself quotes its paths correctly."""
    folder = home / "o'brien"
    with writer_lock():
        result = publish(settings.warehouse_path("sample"), folder / "sample.duckdb", folder / "sample-parquet")
    with duckdb.connect(str(result.path), read_only=True) as con:
        assert con.execute("select x from marts.mart_x").fetchall() == [(1,)]
    assert (folder / "sample-parquet" / "mart_x.parquet").is_file()
