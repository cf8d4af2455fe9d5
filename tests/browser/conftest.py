"""Browser tests: the app served by werkzeug in a thread on a fresh SQLite database (manual
clock, data made through the services), driven by Playwright with Debian's Chromium headless.

Chromium is installed by `scripts/setup.sh --dev`; when it is missing these tests fail (never
skip). Screenshots go to reports/browser/."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "reports" / "browser"
PASSWORD = "mot-de-passe-ui"
TODAY = dt.date(2026, 3, 16)  # a Monday
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--lang=fr-FR"]


class Data:
    """Ids of what the seed made, for the tests to navigate to."""


def _seed(app) -> Data:
    from services import cases, centres, licences, processes, sessions, users
    from services.clock import PARIS, clock
    from services.db import transaction
    from services.demo import speeding

    out = Data()
    with app.app_context():
        with transaction():
            clock().set(dt.datetime.combine(TODAY, dt.time(9, 0), tzinfo=PARIS))
            processes.deploy_shipped("tests")
            for agrement, name, dep in (("R2407500010", "Centre Sécurité Paris 11", "75"),
                                        ("R2409300020", "Stages Routiers Bobigny", "93")):
                centres.create({"agrement": agrement, "name": name, "departement": dep,
                                "valid_until": dt.date(2030, 12, 31)}, "tests")
            for username, role, centre in (("agent", "agent", None), ("admin", "admin", None),
                                           ("conceptrice", "designer", None),
                                           ("centre75", "centre", "R2407500010"),
                                           ("centre93", "centre", "R2409300020")):
                users.create(username, role, PASSWORD, centre)
        admin = users.get_by_name("admin")
        counter = iter(range(100))

        def licence(last, first, points=None):
            n = next(counter)
            data = {"number": f"1201752{n:05d}", "holder": {
                "last_name": last, "first_name": first, "birth_date": dt.date(2003, 5, 2)},
                "obtained_on": TODAY - dt.timedelta(days=500) if points is None
                else TODAY - dt.timedelta(days=3000),
                "probation": "classic", "formation_complementaire": False, "balance": None}
            if points is not None:
                data["balance"] = {"points": points, "on": TODAY - dt.timedelta(days=200)}
            return licences.create(data, "tests")

        def mandatory(last, first):
            lic = licence(last, first)
            committed = TODAY - dt.timedelta(days=60)
            inf = licences.add_infraction(lic, speeding(committed), "tests")
            received = TODAY - dt.timedelta(days=30)
            return cases.create({"kind": "obligatoire", "licence": lic.number,
                                 "infraction": inf.id,
                                 "letter_48n": {"sent_on": received - dt.timedelta(days=4),
                                                "receipt": "signed", "received_on": received}},
                                "tests")

        def fill(session, n, tag):
            """n voluntary trainees, so a held session has a legal size (R32: 6 to 20)."""
            for i in range(n):
                case = cases.create({"kind": "volontaire", "licence": licence(
                    f"Stagiaire{tag}", f"N{i}", points=8).number}, "tests")
                cases.enroll(case, session.id, admin)

        with transaction():
            # a session held a week ago: attendance recorded, Petit's attestation received
            done = sessions.create({"centre": "R2407500010", "day1": TODAY - dt.timedelta(days=11),
                                    "day2": TODAY - dt.timedelta(days=10), "capacity": 20}, admin)
            petit = mandatory("Petit", "Inès")
            cases.enroll(petit, done.id, admin)
            fill(done, 5, "A")
            # the session of last Friday and Saturday: attendance still to record by the centre
            last = sessions.create({"centre": "R2407500010", "day1": TODAY - dt.timedelta(days=3),
                                    "day2": TODAY - dt.timedelta(days=2), "capacity": 20}, admin)
            martin = mandatory("Martin", "Léa")
            cases.enroll(martin, last.id, admin)
            fill(last, 5, "B")
            # another centre's session
            other = sessions.create({"centre": "R2409300020",
                                     "day1": TODAY + dt.timedelta(days=11),
                                     "day2": TODAY + dt.timedelta(days=12), "capacity": 12},
                                    admin)
            durand = mandatory("Durand", "Noah")  # waits for an enrolment
            bernard = mandatory("Bernard", "Hugo")  # enrolled, then its session is cancelled
            out.petit, out.martin, out.done, out.last, out.other, out.durand = (
                petit.id, martin.id, done.id, last.id, other.id, durand.id)
            out.bernard, out.bernard_ref = bernard.id, bernard.reference
            out.martin_ref = martin.reference
            out.martin_licence = martin.licence.number
        with transaction():
            s = sessions.get(out.done)
            sessions.record_attendance(s, [
                {"licence": e.case.licence.number, "day1": "present", "day2": "present"}
                for e in sessions.active_enrollments(s)], admin)
        with transaction():
            cases.receive_attestation(cases.get(out.petit), TODAY - dt.timedelta(days=6), "tests")
    return out


def fresh_app(tmp_path_factory, name: str):
    """The app on a new, migrated SQLite file with a manual clock."""
    from flask_migrate import upgrade

    from app import create_app

    db_path = tmp_path_factory.mktemp(name) / f"{name}.sqlite"
    app = create_app({"DATABASE_URL": f"sqlite:///{db_path}", "CLOCK_MODE": "manual",
                      "SECRET_KEY": f"browser-tests-{name}"})
    with app.app_context():
        upgrade()
    return app


def serve(app, data=None):
    """Serve `app` in a thread for one module (a generator for a fixture to yield from)."""
    from werkzeug.serving import make_server

    from services.db import db

    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    srv = Data()
    srv.app, srv.data, srv.url = app, data, f"http://127.0.0.1:{httpd.server_port}"
    yield srv
    httpd.shutdown()
    thread.join(5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    app = fresh_app(tmp_path_factory, "ui")
    yield from serve(app, _seed(app))


@pytest.fixture(scope="module")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} est absent : lancez `bash scripts/setup.sh --dev` (il installe "
                    "le paquet Debian chromium) ; les tests du navigateur ne sont pas facultatifs.")
    if not AXE.exists():
        pytest.fail(f"{AXE} est absent : lancez `bash scripts/setup.sh` (npm ci).")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    pw.stop()


def _open_page(browser, server, viewport=None):
    """A page in a fresh context that records JavaScript errors and Content-Security-Policy
    violations (Chromium reports each on the console); none is allowed."""
    context = browser.new_context(base_url=server.url, locale="fr-FR",
                                  viewport=viewport or {"width": 1280, "height": 900})
    page = context.new_page()
    page.js_errors, page.csp_violations = [], []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.on("console", lambda msg: page.csp_violations.append(f"{page.url} : {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text else None)
    return context, page


def _close(context, page) -> None:
    context.close()
    assert not page.js_errors, f"erreurs JavaScript dans la page : {page.js_errors}"
    assert not page.csp_violations, f"violations de la CSP : {page.csp_violations}"


@pytest.fixture
def page(browser, server):
    context, page = _open_page(browser, server)
    yield page
    _close(context, page)


@pytest.fixture
def open_page(browser, server):
    """More pages in their own contexts (another user logged in at the same time)."""
    opened = []

    def make(viewport=None):
        context, page = _open_page(browser, server, viewport)
        opened.append((context, page))
        return page

    yield make
    for context, page in opened:
        _close(context, page)


def login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/ui/connexion")
    page.get_by_label("Identifiant", exact=True).fill(username)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def axe_violations(page) -> list[dict]:
    """axe-core (from node_modules) in the page; the serious and critical violations.

    Evaluated through the DevTools protocol: the pages' Content-Security-Policy forbids inline
    scripts, so add_script_tag would be blocked (as it should)."""
    if not page.evaluate("() => !!window.axe"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def accessible(page, name: str) -> None:
    """No serious or critical axe violation on the page `name`."""
    violations = axe_violations(page)
    assert violations == [], f"{name} : violations d'accessibilité graves ou critiques {violations}"


DOCS_IMG = ROOT / "docs" / "img"


def doc_shot(page, name: str, docs_name: str, locator=None) -> None:
    """The test's own screenshot (reports/browser/<name>.png), and with DOCS_SCREENSHOTS=1 the
    documentation's (docs/img/<docs_name>.png; CI leaves those alone)."""
    shot(page, name)
    if os.environ.get("DOCS_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        (locator if locator is not None else page).screenshot(
            path=str(DOCS_IMG / f"{docs_name}.png"))


def tick(radio) -> None:
    """Tick a DSFR radio as a user does: by clicking its label (the input is drawn by CSS)."""
    radio_id = radio.get_attribute("id")
    radio.page.locator(f"label[for='{radio_id}']").click()
    assert radio.is_checked()
