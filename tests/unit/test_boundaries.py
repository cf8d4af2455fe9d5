"""The layers' import boundaries (docs/architecture.md): web → services → workflows → engine.

Read from the source (every import, also those inside functions), so a boundary crossed in a
rarely run branch fails here too. services/rules's own purity is tests/unit/rules/test_purity.py.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _modules(folder: str) -> list[Path]:
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files, folder
    return files


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of each import; `from a import b` yields a and a.b."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _crossings(files, forbidden) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{line} imports {name}"
            for path in files for line, name in _imports(path)
            if any(name == f or name.startswith(f + ".") for f in forbidden)]


def test_only_workflows_imports_spiffworkflow():
    files = _modules("services") + _modules("web") + [ROOT / "app.py"]
    assert _crossings(files, ["SpiffWorkflow", "spiffworkflow"]) == []


def test_services_never_import_the_web_layer_nor_its_schemas():
    assert _crossings(_modules("services"), ["web", "flask_smorest", "marshmallow", "app"]) == []


def test_web_never_imports_the_engine_layer_nor_the_models():
    assert _crossings(_modules("web"), ["workflows", "services.models", "SpiffWorkflow",
                                        "sqlalchemy"]) == []


def test_workflows_never_import_the_layers_above():
    assert _crossings(_modules("workflows"), ["services", "web", "app", "flask",
                                              "flask_sqlalchemy", "sqlalchemy"]) == []


def test_the_clerks_commands_never_import_the_designers_room():
    """services/design is the designers' room; only the deployment (services/processes) and the
    room itself reach into it."""
    files = [p for p in _modules("services")
             if "design" not in p.relative_to(ROOT / "services").parts[:-1]
             and p.name != "processes.py"]
    assert _crossings(files, ["services.design"]) == []


def test_entrypoints_never_open_a_transaction_themselves():
    """Commands own their transaction (services.db.command); a route or a CLI command only
    parses, calls and shapes the answer."""
    offenders = [f"{path.relative_to(ROOT)}:{node.lineno}"
                 for path in _modules("web")
                 for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(node, ast.Name) and node.id == "transaction"]
    assert offenders == []


@pytest.mark.parametrize("forbidden", ["web", "services.models"])
def test_the_check_itself_sees_a_crossing(tmp_path, forbidden):
    """The boundary checks can fail: a module that crosses is reported."""
    module = tmp_path / "crossing.py"
    module.write_text(f"def f():\n    from {forbidden} import x\n", encoding="utf-8")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert _crossings([module], [forbidden])[0] == f"crossing.py:2 imports {forbidden}"
    finally:
        ROOT = saved
