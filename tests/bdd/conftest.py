"""Acceptance suite in French Gherkin (features/): fixtures, step vocabulary, tags → markers,
reports (Cucumber JSON from pytest-bdd, HTML from tools/rapport_html.py)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from tests.bdd.etapes_dossier import *  # noqa: F403  (step definitions are fixtures)
from tests.bdd.etapes_permis import *  # noqa: F403
from tests.bdd.etapes_stage import *  # noqa: F403
from tests.bdd.outils import Contexte

ROOT = Path(__file__).resolve().parents[2]
FEATURES = ROOT / "features"
TAG_RE = re.compile(r"(?<!\S)@([A-Za-z][\w-]*)")


def _tags() -> set[str]:
    tags: set[str] = set()
    for path in FEATURES.rglob("*.feature"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("@"):
                tags.update(TAG_RE.findall(line))
    return tags


def pytest_configure(config):
    # pytest-bdd turns every tag into a marker; register them so --strict-markers still holds.
    for tag in sorted(_tags()):
        config.addinivalue_line("markers", f"{tag}: scénarios Gherkin étiquetés @{tag}")


@pytest.fixture
def ctx(api) -> Contexte:
    return Contexte(api)


def pytest_unconfigure(config):
    """After pytest-bdd wrote the Cucumber JSON, write the HTML report next to it."""
    path = getattr(config.option, "cucumber_json_path", None)
    if not path or not Path(path).exists():
        return
    spec = importlib.util.spec_from_file_location("rapport_html", ROOT / "tools" /
                                                  "rapport_html.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    html = Path(path).with_suffix(".html")
    module.ecrire(Path(path), html)


def pytest_terminal_summary(terminalreporter):
    """Prints the French scenario names with their rules and result, even with -q."""
    from pytest_bdd.reporting import test_report_context_registry as registre

    lignes = []
    for statut, mot in (("passed", "réussi"), ("failed", "ÉCHOUÉ")):
        for rep in terminalreporter.stats.get(statut, []):
            contexte = registre.get(rep) if rep.when == "call" else None
            if contexte is None:
                continue
            sc = contexte.scenario
            regles = " ".join(f"@{t}" for t in sc.get("tags", []) if t[:1] in "RDQ")
            lignes.append(f"  [{mot}] {sc['feature']['name']} — {sc['name']} {regles}")
    if lignes:
        terminalreporter.section("Scénarios Gherkin (features/)")
        for ligne in lignes:
            terminalreporter.write_line(ligne)
