"""Acceptance suite in French Gherkin (features/): fixtures, step vocabulary, tags → markers,
reports (Cucumber JSON from pytest-bdd, HTML from tools/rapport_html.py)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.bdd.etapes_dossier import *  # noqa: F403  (step definitions are fixtures)
from tests.bdd.etapes_generiques import *  # noqa: F403
from tests.bdd.etapes_permis import *  # noqa: F403
from tests.bdd.etapes_stage import *  # noqa: F403
from tests.bdd.outils import Contexte

ROOT = Path(__file__).resolve().parents[2]
FEATURES = ROOT / "features"
TAG_RE = re.compile(r"(?<!\S)@([A-Za-z][\w-]*)")


def _tags() -> set[str]:
    """Every tag of features/ and of the files BDD_FEATURES names (a path may be outside
    features/): each becomes a marker, so that --strict-markers does not stop the collection
    with « 'R99' not found in `markers` configuration option »."""
    from tests.bdd.controle_fonctionnalites import feature_files

    tags: set[str] = set()
    for path in {*FEATURES.rglob("*.feature"), *(p for p in feature_files() if p.is_file())}:
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


# BDD_SHARED_APP=1 (the designers' sandbox sets it, services/design/sandbox.py): one application
# per process instead of one per scenario, and each scenario on a fresh copy of a database file
# migrated and bootstrapped once (tests.helpers.ApiClient.bootstrap), instead of tables emptied
# and bootstrapped again. Every scenario still starts from the same state: the database is the
# file the bootstrap left, the tokens the ones it made, the manual clock its date (stored in
# that database), and the engine knows only the versions of that file. SQLite only.
SHARED_APP = os.environ.get("BDD_SHARED_APP") == "1"

if SHARED_APP:
    from tests.conftest import FAST

    @pytest.fixture(scope="session")
    def _gabarit(tmp_path_factory):
        """(app, working database file, template file, bootstrap tokens, parsed versions)."""
        from flask_migrate import upgrade

        from app import create_app
        from services.db import db
        from tests.helpers import ApiClient

        folder = tmp_path_factory.mktemp("gabarit")
        working, template = folder / "scenario.sqlite", folder / "gabarit.sqlite"
        app = create_app({"DATABASE_URL": f"sqlite:///{working}", "CLOCK_MODE": "manual",
                          "SECRET_KEY": "test", "TESTING": True, **FAST})
        with app.app_context():
            upgrade()
            client = ApiClient(app)
            client.bootstrap()
            db.session.remove()
            with db.engine.connect() as conn:  # a consistent copy, WAL included
                source = conn.connection.driver_connection
                target = sqlite3.connect(template)
                source.backup(target)
                target.close()
            db.engine.dispose()
        engine = app.extensions["process_engine"]
        return app, working, template, dict(client.tokens), dict(engine._cache)

    @pytest.fixture
    def app(_gabarit):
        from services.db import db
        from web.ui.security import limiter

        app, working, template, _tokens, parsed = _gabarit
        with app.app_context():
            db.engine.dispose()
        for suffix in ("-wal", "-shm"):
            Path(f"{working}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, working)
        # the versions of the template only: one a scenario deployed is not known to the next
        app.extensions["process_engine"]._cache = dict(parsed)
        with app.app_context():  # the counters are the application database's
            limiter.reset()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    @pytest.fixture
    def api(app, _gabarit):
        from tests.helpers import ApiClient

        with app.app_context():
            client = ApiClient(app)
            client.tokens = dict(_gabarit[3])
            yield client


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


ETAPE_EN_ECHEC = pytest.StashKey[tuple]()
ETAPE_INTROUVABLE = pytest.StashKey[str]()


def pytest_bdd_step_func_lookup_error(request, feature, scenario, step, exception):
    """A step no definition matches: pytest-bdd leaves it out of its scenario report, so the
    Cucumber JSON and the HTML report showed the scenario passed (or left it out when it was
    the first step). Record it as failed, and say why in French with the closest phrases."""
    from pytest_bdd.reporting import StepReport, scenario_reports_registry

    from tests.bdd.outils import etape_introuvable

    report = scenario_reports_registry.get(request.node)
    if report is not None:
        report.add_step_report(StepReport(step=step))
        report.fail()
    message = etape_introuvable(scenario, step)
    request.node.stash[ETAPE_INTROUVABLE] = message
    pytest.fail(message, pytrace=False)


def pytest_bdd_step_error(request, feature, scenario, step, step_func, step_func_args,
                          exception):
    """Remember which step failed: the report names it (pytest_runtest_makereport below)."""
    request.node.stash[ETAPE_EN_ECHEC] = (scenario, step)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed step is reported in French with where it is: the step's own message (« Échéance
    attendue : … », a refusal, an impossible date), then the file, the line, the scenario and
    the step, instead of pytest's traceback through pytest-bdd's code, which an analyst cannot
    read. The Cucumber JSON (HTML report, designers' runs) reads the same text. An error that is
    not an assertion (a bug in the steps or the application) keeps its traceback under a French
    heading: it is for a developer."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed or call.excinfo is None:
        return
    from tests.bdd.outils import echec_d_etape

    exception = call.excinfo.value
    introuvable = item.stash.get(ETAPE_INTROUVABLE, None)
    echec = item.stash.get(ETAPE_EN_ECHEC, None)
    if introuvable is not None:
        texte = introuvable
    elif echec is not None:
        texte = echec_d_etape(*echec, exception)
    else:
        return
    if isinstance(exception, AssertionError | pytest.fail.Exception):
        report.longrepr = texte
        # the captured output (the migrations' log, the application's) says nothing to them
        report.sections = [s for s in report.sections if not s[0].startswith("Captured")]
    else:
        report.longrepr = f"{texte}\n\n{report.longreprtext}"
