"""The layering contract (pyproject.toml, [tool.importlinter]): imports flow one way, and a wrong one fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(),
                                reason="import-linter is not installed (pip install -e .[dev])")


def _lint_imports(project: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=project, env=env, capture_output=True, text=True)


def test_dyad_keeps_its_import_contracts():
    done = _lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "broken" not in done.stdout.lower().replace("0 broken", "")


@pytest.mark.parametrize(("module", "statement", "complaint"), [
    ("components/wrong_way.py", "import dyad.corpus.store", "dyad.components is not allowed to import dyad.corpus"),
    ("records_helper.py", "from dyad.pipeline import load", "is not allowed to import dyad.pipeline"),
    ("surfaces/server/wrong_way.py", "import dyad.evaluate.cli", "dyad.surfaces.server is not allowed to import"),
])
def test_an_import_against_the_flow_breaks_a_contract(tmp_path, module, statement, complaint):
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    if module == "records_helper.py":  # a records-layer module: extend records.py itself
        target = tmp_path / "src/dyad/records.py"
        target.write_text(target.read_text() + f"\n{statement}\n")
    else:
        (tmp_path / "src/dyad" / module).write_text(f'"""Deliberately against the flow."""\n{statement}\n')
    done = _lint_imports(tmp_path)
    assert done.returncode != 0
    assert complaint in done.stdout


SOURCE = ROOT / "src/dyad"
MAX_MODULE_LINES = 500  # issue 14: a module over this usually holds two responsibilities
MAX_FUNCTION_LINES = 80  # issue 14: a longer function says why in a `# Long: ...` comment


def test_no_module_is_over_500_lines():
    long_modules = {str(p.relative_to(SOURCE)): n for p in SOURCE.rglob("*.py")
                    if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long_modules == {}


def long_functions_without_a_reason(path: Path, root: Path = SOURCE) -> list[str]:
    """Functions over MAX_FUNCTION_LINES with no `# Long:` comment above them or in their opening lines."""
    import ast

    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = node.end_lineno - node.lineno + 1  # from `def`: decorators (click options) do not count
        if length <= MAX_FUNCTION_LINES:
            continue
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        around = lines[max(0, first - 5):first - 1] + lines[node.lineno - 1:node.body[0].lineno + 8]
        if not any(line.strip().startswith("# Long:") for line in around):
            found.append(f"{path.relative_to(root)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_long_functions_say_why():
    assert [f for p in sorted(SOURCE.rglob("*.py")) for f in long_functions_without_a_reason(p)] == []


def test_a_long_function_without_a_reason_is_found(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    (tmp_path / "long.py").write_text(f"def long():\n{body}\n\n\ndef reasoned():\n    # Long: one table\n{body}\n")
    found = long_functions_without_a_reason(tmp_path / "long.py", tmp_path)
    assert found == [f"long.py:1 long ({MAX_FUNCTION_LINES + 1} lines)"]
