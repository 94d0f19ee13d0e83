"""The shape of the code: no import cycles in ingestion/ and orchestration/, no module over 400 lines, the product
never imports the synthetic-data generator except at its two entry points (sample mode and `faultlines sample`),
and orchestration/ names no raw table (they are declared once, in each provider module)."""

from __future__ import annotations

import ast
from pathlib import Path

from ingestion.settings import REPO_ROOT
from tests.utils import raw_tables

MAX_LINES = 400
GENERATOR = "ingestion.synthetic"
# Where the product may import the generator, inside a function (sample mode, `faultlines sample`).
GENERATOR_ENTRY_POINTS = ("ingestion/endpoints.py", "orchestration/cli")


def _modules(folder: str) -> dict[str, Path]:
    return {".".join(p.relative_to(REPO_ROOT).with_suffix("").parts).removesuffix(".__init__"): p
            for p in sorted((REPO_ROOT / folder).rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imports(path: Path, known: set[str]) -> list[tuple[str, bool]]:
    """(project module imported, at module level?) for every import in ``path``; TYPE_CHECKING ones are not imports
    at run time, so they are left out."""
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                # `from package import module` imports the module; `from module import name` the module.
                names = [f"{child.module}.{a.name}" if f"{child.module}.{a.name}" in known else child.module
                         for a in child.names]
            found.extend((n, top) for n in names if n in known)
            inner = isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(child, top and not inner)

    visit(ast.parse(path.read_text()), True)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module, or a module importing itself (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return out


def test_no_import_cycles_in_the_product_even_through_imports_inside_functions():
    # Imports inside functions count too: they are how the old generator dodged its circle at import time.
    # One graph over both folders, so a circle through ingestion and orchestration is found too.
    modules = {**_modules("ingestion"), **_modules("orchestration")}
    graph = {name: {m for m, _ in _imports(path, set(modules))} for name, path in modules.items()}
    assert len(graph) > 40
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"a"}}) == [["a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_python_module_in_the_product_is_over_400_lines():
    long = {str(p.relative_to(REPO_ROOT)): n for folder in ("ingestion", "orchestration")
            for p in (REPO_ROOT / folder).rglob("*.py") if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def _string_constants(path: Path) -> list[tuple[int, str]]:
    """Every string literal in ``path`` but docstrings and comments (prose may mention a table)."""
    tree = ast.parse(path.read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_orchestration_names_no_raw_table():
    # A raw table is declared once (ingestion/sources/tables.py); Dagster's asset keys,
    # date ranges and freshness checks derive from that list. A table name written out in orchestration/ is a
    # second declaration that a new table would have to find.
    from ingestion.sources import TABLES

    names = {table for tables in TABLES.values() for table in tables}
    assert {"observations", "auctions", "reference_rates", "prices_daily", "facts"} <= names
    qualified = raw_tables(".")
    found = [f"{path.relative_to(REPO_ROOT)}:{line}: {text!r}"
             for path in sorted((REPO_ROOT / "orchestration").rglob("*.py"))
             for line, text in _string_constants(path)
             if text in names or any(q in text or q.replace(".", "/") in text for q in qualified)]
    assert found == []


def test_the_raw_table_finder_sees_a_string_and_skips_a_docstring(tmp_path):
    module = tmp_path / "m.py"
    module.write_text('"""Loads observations."""\nTABLE = "observations"\n')
    assert _string_constants(module) == [(2, "observations")]


def test_the_product_imports_the_generator_only_at_its_entry_points():
    offending = []
    for folder in ("ingestion", "orchestration"):
        modules = _modules(folder)
        known = set(modules) | set(_modules("ingestion"))
        for name, path in modules.items():
            if name.startswith(GENERATOR):
                continue
            relative = path.relative_to(REPO_ROOT).as_posix()
            for imported, top in _imports(path, known):
                if imported.startswith(GENERATOR) and (top or not relative.startswith(GENERATOR_ENTRY_POINTS)):
                    offending.append(f"{relative} imports {imported}")
    assert offending == []
    # The entry points do reach it (lazily), so this test looks where the imports are.
    entry = _imports(REPO_ROOT / "ingestion" / "endpoints.py", set(_modules("ingestion")))
    assert any(m.startswith(GENERATOR) and not top for m, top in entry)
