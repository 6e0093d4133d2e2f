"""Packages depend one way: the indexer never imports the assistant, the runtime never imports evaluation."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_indexer_imports_nothing_from_the_assistant():
    code = (
        "import sys, index.build, index.embeddings, index.loader, index.store, index.news, index.errors;"
        "print('\\n'.join(m for m in sys.modules if m == 'assistant' or m.startswith('assistant.')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == []


def test_spacy_loads_only_when_something_is_indexed():
    code = (
        "import sys, index.build, index.entities, assistant.answering.spans, assistant.compose;"
        "print([m for m in sys.modules if m == 'spacy' or m.startswith(('spacy.', 'en_core_web_sm'))])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "[]"


def _imported(path: Path) -> set[str]:
    """Every module an ``import`` or ``from ... import`` in the file names (absolute imports only)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _importers_of(package: str, under: Path) -> list[str]:
    return sorted(
        str(path.relative_to(ROOT))
        for path in under.rglob("*.py")
        if any(name == package or name.startswith(f"{package}.") for name in _imported(path))
    )


def test_the_indexer_has_no_import_of_the_assistant_even_inside_functions():
    assert _importers_of("assistant", ROOT / "index") == []


def test_the_runtime_never_imports_evaluation():
    assert _importers_of("evaluation", ROOT / "assistant") == []


def test_the_import_finder_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from evaluation.metrics import mrr\n    import evaluation\n")
    assert _imported(module) == {"evaluation.metrics", "evaluation"}
