"""The import graph of ``bot/`` and ``actions/``, function-level and type-only imports included; fails on a cycle.

    python scripts/import_graph.py            # one line per module: what it imports; exit 1 on a cycle
    python scripts/import_graph.py --cycles   # only the cycles

Every ``import`` / ``from ... import`` statement anywhere in a file counts (inside functions and under
``if TYPE_CHECKING:`` too): a cycle hidden in a function is still a cycle a reader has to untangle.
``from bot import places`` is an edge to ``bot.places`` when that is a module, else to ``bot``.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "actions")


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def find_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the packages, by dotted name."""
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            modules[module_name(path, root)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of ``name`` that is one of our modules."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Our modules that ``module`` imports anywhere in its source."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for name in names:
            target = _resolve(name, modules)
            if target is not None and target != module:
                found.add(target)
                break  # "from a.b import c, d": one edge per statement is enough for cycles
    return found


def graph(root: Path = ROOT) -> dict[str, set[str]]:
    modules = find_modules(root)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(1000, 10 * len(edges)))
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)


def package_graph(edges: dict[str, set[str]], root: Path = ROOT) -> dict[str, set[str]]:
    """The same graph with every module of a sub-package (``bot.channels.rest``) folded into it (``bot.channels``).

    Two packages that import each other through different modules are tangled even when no module cycle
    exists (``channels.rendering`` -> ``handoff.state`` while ``handoff.service`` -> ``channels.proactive``).
    """
    packages = {module_name(path.parent, root) for path in root.glob("*/*/__init__.py") if path.parts[-3] in PACKAGES}

    def fold(module: str) -> str:
        parts = module.split(".")
        for size in range(len(parts), 0, -1):
            prefix = ".".join(parts[:size])
            if prefix in packages and size > 1:
                return prefix
        return module

    folded: dict[str, set[str]] = {}
    for module, targets in edges.items():
        source = fold(module)
        folded.setdefault(source, set()).update(fold(t) for t in targets if fold(t) != source)
    return folded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", action="store_true", help="print only the cycles")
    args = parser.parse_args(argv)
    edges = graph()
    if not args.cycles:
        for module in sorted(edges):
            print(f"{module} -> {', '.join(sorted(edges[module])) or '(nothing of ours)'}")
    found = cycles(edges)
    for component in found:
        print("CYCLE: " + " <-> ".join(component))
    tangled = cycles(package_graph(edges))
    for component in tangled:
        print("PACKAGE CYCLE: " + " <-> ".join(component))
    print(
        f"{len(edges)} modules, {sum(len(t) for t in edges.values())} imports, {len(found)} module cycle(s), "
        f"{len(tangled)} package cycle(s)"
    )
    return 1 if found or tangled else 0


if __name__ == "__main__":
    sys.exit(main())
