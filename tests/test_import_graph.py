"""The import graph of bot/ and actions/ has no cycle, function-level imports included (scripts/import_graph.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "scripts" / "import_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_graph"] = module
    spec.loader.exec_module(module)
    return module


def test_bot_and_actions_have_no_import_cycle() -> None:
    graph = _script()
    edges = graph.graph()
    assert graph.cycles(edges) == []
    assert graph.cycles(graph.package_graph(edges)) == []


def test_places_search_does_not_know_the_conversation() -> None:
    edges = _script().graph()
    assert not any(target.startswith("bot.conversation") for target in edges["bot.places"])
    assert not any(target.startswith(("bot.channels", "bot.handoff")) for target in edges["bot.conversation.dialogue"])


def test_a_cycle_hidden_in_a_function_is_found(tmp_path: Path) -> None:
    graph = _script()
    package = tmp_path / "bot"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from bot import b\n")
    (package / "b.py").write_text("def later() -> None:\n    from bot import a  # noqa\n")
    (tmp_path / "actions").mkdir()
    (tmp_path / "actions" / "__init__.py").write_text("")
    assert graph.cycles(graph.graph(tmp_path)) == [["bot.a", "bot.b"]]
