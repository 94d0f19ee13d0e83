"""Every model and every column the warehouse really has is described in the dbt YAML (docs coverage 100 %)."""

import json

import duckdb
import pytest
import yaml

from ingestion import settings
from orchestration.dbt_manifest import ensure_manifest

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("replay")]  # shares the replay build


def test_every_model_and_column_is_described(replay_build):
    _, _, warehouse = replay_build
    manifest = json.loads(ensure_manifest().read_text())
    nodes = [n for n in manifest["nodes"].values()
             if n["resource_type"] in ("model", "seed") and n["package_name"] == "faultlines"]
    on_disk = {p.stem for folder in ("models", "seeds") for p in (settings.DBT_PROJECT_DIR / folder).rglob("*")
               if p.suffix in (".sql", ".csv")}
    assert {n["name"] for n in nodes} == on_disk
    undescribed = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for node in nodes:
            if not node["description"].strip():
                undescribed.append(node["name"])
            documented = {name for name, column in node["columns"].items() if column["description"].strip()}
            actual = {c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                [node["schema"], node["alias"] or node["name"]]).fetchall()}
            assert actual, f"{node['name']} is not in the warehouse"
            undescribed += [f"{node['name']}.{c}" for c in sorted(actual - documented)]
    assert undescribed == []


def _columns(document: dict) -> list[dict]:
    nodes = [n for kind in ("models", "seeds", "snapshots") for n in document.get(kind) or []]
    tables = [t for source in document.get("sources") or [] for t in source.get("tables") or []]
    return [column for node in nodes + tables for column in node.get("columns") or []]


def test_no_column_description_is_cut_at_a_comma():
    """`{name: x, description: Close, USD.}` is YAML for a description `Close` and a stray key `USD.`."""
    known = {"name", "description", "data_tests", "data_type", "meta", "config", "quote", "constraints", "tags"}
    paths = [path for folder in ("models", "seeds", "snapshots")
             for path in (settings.DBT_PROJECT_DIR / folder).rglob("*.yml")]
    stray = [f"{path.name}: {column['name']} {sorted(set(column) - known)}"
             for path in paths for column in _columns(yaml.safe_load(path.read_text()) or {})
             if set(column) - known]
    # The glob reaches every YAML: each folder holding a model or seed holds one.
    assert {p.parent for folder in ("models", "seeds") for p in (settings.DBT_PROJECT_DIR / folder).rglob("*")
            if p.suffix in (".sql", ".csv")} <= {p.parent for p in paths}
    assert stray == []
