"""Every SQL statement lives in retrieval/catalog/: a scan of the source for SQL text.

String literals (f-strings included, docstrings excluded) of agent/, retrieval/
outside the catalog package, training/, tools/ and benchmarks/ must hold no SQL; a
failure names each file:line so the statement can be moved into a catalog method.
Keywords are matched in capitals, as the project writes SQL, so prose such as
"select the songs you like from the list" is not taken for a query.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("agent", "retrieval", "training", "tools", "benchmarks")
CATALOG_PACKAGE = ROOT / "retrieval" / "catalog"

SQL = re.compile(
    r"\bSELECT\b[\s\S]*\bFROM\b"
    r"|\bINSERT\s+(OR\s+\w+\s+)?INTO\b"
    r"|\bUPDATE\s+\w+\s+SET\b"
    r"|\bDELETE\s+FROM\b"
    r"|\b(CREATE|DROP)\s+(TEMP\s+|UNIQUE\s+)?(TABLE|INDEX|VIEW|TRIGGER)\b"
    r"|\bALTER\s+TABLE\b"
    r"|\bPRAGMA\s+\w+"
    r"|\bBEGIN\s+(IMMEDIATE|EXCLUSIVE|DEFERRED|TRANSACTION)\b"
    r"|^\s*(COMMIT|ROLLBACK|VACUUM)\s*$",
)


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string nodes that are docstrings (prose, never executed)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def sql_literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each string literal in `path` that reads as SQL."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skip = _docstrings(tree)
    hits = []
    for node in ast.walk(tree):
        text = _literal_text(node)
        if text is not None and id(node) not in skip and SQL.search(text):
            hits.append((node.lineno, text))
    return hits


def _literal_text(node: ast.AST) -> str | None:
    """The text of a string literal; an f-string with each placeholder read as `{}`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)
    return None


def scanned_files() -> list[Path]:
    files = []
    for top in SCANNED:
        folder = ROOT / top
        if folder.is_dir():
            files.extend(p for p in folder.rglob("*.py") if CATALOG_PACKAGE not in p.parents)
    return sorted(files)


def test_no_sql_outside_the_catalog_package():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {text.strip()[:60]!r}"
        for path in scanned_files()
        for line, text in sql_literals(path)
    ]
    assert not offenders, "SQL outside retrieval/catalog/ (move it into a Catalog method):\n" + "\n".join(offenders)


def test_the_scan_finds_sql_in_each_form(tmp_path):
    # The scan must catch SQL however it is written, or the test above cannot fail.
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""A docstring may say SELECT name FROM playlists."""\n'
        'a = "SELECT pid FROM playlists"\n'
        'b = f"SELECT {x} FROM tracks WHERE id IN ({marks})"\n'
        'c = ("INSERT OR REPLACE INTO meta"\n     " VALUES (?, ?)")\n'
        'd = "CREATE INDEX IF NOT EXISTS i ON t(x)"\n'
        'e = "PRAGMA journal_mode=WAL"\n'
        'f = "COMMIT"\n'
        'g = "Select the songs you like from the list"\n'
    )
    assert sorted({line for line, _ in sql_literals(sample)}) == [2, 3, 4, 6, 7, 8]


def test_the_catalog_package_is_scanned_for_size_not_sql():
    # The catalog is where SQL belongs; its modules stay small enough to read.
    for module in CATALOG_PACKAGE.glob("*.py"):
        assert len(module.read_text().splitlines()) <= 300, module.name
