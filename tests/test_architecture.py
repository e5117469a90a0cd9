"""The shape of the code, checked from its source: imports point one way, without
circles, and no module grows past what a reader takes in at once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("agent", "retrieval", "training")
SIZED = ("agent", "retrieval", "training", "tools", "prompts")
MAX_LINES = 300


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_modules(packages=PACKAGES) -> dict[str, Path]:
    return {module_name(p): p for package in packages for p in sorted((ROOT / package).rglob("*.py"))}


def imported(path: Path, name: str, known: set[str]) -> set[str]:
    """The project modules `path` imports anywhere in it (inside functions too: a lazy
    import closes a circle just the same)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import mod` imports the module pkg.mod when there is one.
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # `import a.b.c` of a name inside a.b
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = source_modules()
    return {name: imported(path, name, set(modules)) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle as [a, b, ..., a], or None (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if state.get(start):
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(graph.get(nxt, ()))))
    return None


def test_the_cycle_finder_finds_a_circle_and_accepts_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_import_scanner_sees_lazy_and_relative_imports(tmp_path):
    module = tmp_path / "mod.py"
    module.write_text("def f():\n    from agent.playlist import rerank\n    from . import service\n")
    known = {"agent.playlist", "agent.playlist.rerank", "agent.playlist.service"}
    assert imported(module, "agent.playlist.mod", known) == {"agent.playlist.rerank", "agent.playlist.service"}


def test_no_import_circle_anywhere():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle)


@pytest.mark.parametrize("lower, upper", [("retrieval", "agent"), ("training", "agent"), ("retrieval", "training")])
def test_lower_layers_never_import_upper_ones(lower, upper):
    offenders = {
        name: sorted(t for t in targets if t.split(".")[0] == upper)
        for name, targets in import_graph().items() if name.split(".")[0] == lower
    }
    assert not {name: found for name, found in offenders.items() if found}


def test_no_module_is_over_300_lines():
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for package in SIZED for path in (ROOT / package).rglob("*.py")
    }
    assert len(sizes) > 50  # the scan found the code
    too_long = {path: lines for path, lines in sizes.items() if lines > MAX_LINES}
    assert not too_long, f"split these by concern: {too_long}"



FACES = ("agent.cli", "agent.server", "agent.chat")
# The one command that starts each other face: `agent serve`, `agent chat`.
LAUNCHERS = {"agent.cli.serve": "agent.server", "agent.cli.chat": "agent.chat"}


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@pytest.mark.parametrize("face, other", [(a, b) for a in FACES for b in FACES if a != b])
def test_faces_never_import_each_other(face, other):
    """The CLI, the server and the chat share `agent.playlist` and `agent.errors`, never each
    other's code; only the command that starts a face imports it."""
    offenders = {
        name: sorted(t for t in targets if _within(t, other))
        for name, targets in import_graph().items() if _within(name, face) and LAUNCHERS.get(name) != other
    }
    assert not {name: found for name, found in offenders.items() if found}


def test_the_server_imports_nothing_from_the_cli():
    graph = import_graph()
    server = [name for name in graph if _within(name, "agent.server")]
    assert server  # the scan found the server
    assert not {name: sorted(graph[name]) for name in server if any(_within(t, "agent.cli") for t in graph[name])}
