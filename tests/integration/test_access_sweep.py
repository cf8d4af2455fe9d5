"""Every route of the application has an explicit access expectation, and keeps it.

`ACCESS` classifies each (method, rule) of `app.url_map`: which roles may call it (admin always
may, except on PUBLIC routes, which need no login). A route missing from the table, or a stale
entry, fails `test_every_route_is_classified`: a route added later fails until someone says who
may call it.

`test_every_route_answers_as_classified` then calls every route, with real ids made in the test
and with unknown ids, as nobody and as every role:
- nobody: 401 problem+json on the API, a redirect to the login on the pages (PUBLIC: neither);
- a role the table does not allow: 403 (problem+json on the API, the French page on the UI),
  the same body whatever the id, existing or not (the role is checked before any look-up);
- a role the table allows: neither 401 nor the role's 403;
- a centre, on its own routes: another centre's and unknown sessions and agréments get one 403,
  word for word (services/centre_access.py); its own ones pass;
- a clerk, on a GET with an unknown id: 404 (API.md); real ids that do not belong together
  (another case's letter or task, another licence's infraction): 404.

Then, on the same table: what a centre reads (nothing of another centre, on any GET it may
call, pages, JSON, CSV, XLSX), what a designer reads (no personal data), CSRF on every
state-changing route and no state changed by any GET, and the end of a session (deactivation,
logout, a new role, a new centre) at the next request on every route. docs/security.md says
what this covers."""

from __future__ import annotations

import html
import io
import re
import zipfile
from urllib.parse import quote

import pytest
from werkzeug.routing import IntegerConverter

from services import cases, letters, users
from services.clock import clock
from services.db import db, transaction
from services.models import DraftTestRun, Incident, OutboxJob, ProcessVersion
from tests.api_errors_support import CENTRE, NUM, OTHER_CENTRE, assert_problem, snapshot, unchanged
from tests.designer_support import renamed_volontaire, xml_headers
from tests.ui_support import UiClient

AGENT, DESIGNER, CENTRE_ROLE, ADMIN = "agent", "designer", "centre", "admin"
PUBLIC = frozenset({"public"})
ROLES = (AGENT, DESIGNER, CENTRE_ROLE, ADMIN)
USER_OF = {AGENT: "agent", DESIGNER: "designer", CENTRE_ROLE: "centre75", ADMIN: "admin"}
ANY = frozenset({AGENT, DESIGNER, CENTRE_ROLE})


def roles(*names: str) -> frozenset[str]:
    return frozenset(names)


A, D, C = roles(AGENT), roles(DESIGNER), roles(CENTRE_ROLE)
AD, AC, ADC = roles(AGENT, DESIGNER), roles(AGENT, CENTRE_ROLE), ANY
ADMIN_ONLY = frozenset()  # admin alone (admin is allowed on every non-public route)

# (method, rule) -> roles allowed besides admin. Keep in the url_map's order of rules.
ACCESS: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/"): PUBLIC,  # redirects to the login or to the user's home
    ("GET", "/favicon.ico"): PUBLIC,
    ("GET", "/static/<path:filename>"): PUBLIC,
    ("GET", "/static/vendor/<name>/<path:filename>"): PUBLIC,
    ("GET", "/ui/static/<path:filename>"): PUBLIC,
    ("GET", "/ui/connexion"): PUBLIC,
    ("POST", "/ui/connexion"): PUBLIC,
    ("POST", "/ui/deconnexion"): PUBLIC,
    ("GET", "/ui/a-propos"): PUBLIC,  # the legal switches in force, by design
    ("GET", "/api/v1/docs"): PUBLIC,
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    # ---- API ----
    ("GET", "/api/v1/actions"): D,
    ("GET", "/api/v1/admin/events"): ADMIN_ONLY,
    ("GET", "/api/v1/cases"): A,
    ("POST", "/api/v1/cases"): A,
    ("GET", "/api/v1/cases/<int:case_id>"): A,
    ("POST", "/api/v1/cases/<int:case_id>/attestation"): A,
    ("POST", "/api/v1/cases/<int:case_id>/enrollment"): A,
    ("GET", "/api/v1/cases/<int:case_id>/events"): A,
    ("GET", "/api/v1/cases/<int:case_id>/events/export"): A,
    ("GET", "/api/v1/cases/<int:case_id>/letters"): A,
    ("GET", "/api/v1/cases/<int:case_id>/letters/<int:letter_id>"): A,
    ("POST", "/api/v1/cases/<int:case_id>/migration"): D,
    ("POST", "/api/v1/cases/<int:case_id>/pending-change/accept"): A,
    ("POST", "/api/v1/cases/<int:case_id>/pending-change/dismiss"): A,
    ("GET", "/api/v1/cases/export"): A,
    ("GET", "/api/v1/centres"): AC,
    ("POST", "/api/v1/centres"): A,
    ("GET", "/api/v1/centres/<agrement>"): AC,
    ("PATCH", "/api/v1/centres/<agrement>"): A,
    ("GET", "/api/v1/centres/<agrement>/history"): A,
    ("GET", "/api/v1/clock"): ADC,
    ("PUT", "/api/v1/clock"): ADMIN_ONLY,
    ("GET", "/api/v1/drafts/<int:draft_id>"): D,
    ("GET", "/api/v1/drafts/<int:draft_id>/bundle"): D,
    ("GET", "/api/v1/drafts/<int:draft_id>/decisions"): D,
    ("POST", "/api/v1/drafts/<int:draft_id>/deploy"): D,
    ("GET", "/api/v1/drafts/<int:draft_id>/diff"): D,
    ("GET", "/api/v1/drafts/<int:draft_id>/forms"): D,
    ("POST", "/api/v1/drafts/<int:draft_id>/test-runs"): D,
    ("GET", "/api/v1/drafts/<int:draft_id>/xml"): D,
    ("GET", "/api/v1/groups"): ADMIN_ONLY,
    ("POST", "/api/v1/groups"): ADMIN_ONLY,
    ("GET", "/api/v1/groups/<code>"): ADMIN_ONLY,
    ("PATCH", "/api/v1/groups/<code>"): ADMIN_ONLY,
    ("GET", "/api/v1/incidents"): D,
    ("GET", "/api/v1/incidents/<int:incident_id>"): D,
    ("POST", "/api/v1/incidents/<int:incident_id>/resolve"): D,
    ("POST", "/api/v1/licences"): A,
    ("GET", "/api/v1/licences/<number>"): A,
    ("GET", "/api/v1/licences/<number>/balance"): A,
    ("POST", "/api/v1/licences/<number>/infractions"): A,
    ("POST", "/api/v1/licences/<number>/invalidation"): A,
    ("GET", "/api/v1/licences/<number>/movements/export"): A,
    ("GET", "/api/v1/outbox"): ADMIN_ONLY,
    ("POST", "/api/v1/outbox/<int:job_id>/retry"): ADMIN_ONLY,
    ("GET", "/api/v1/processes"): AD,
    ("GET", "/api/v1/processes/<key>/drafts"): D,
    ("POST", "/api/v1/processes/<key>/drafts"): D,
    ("GET", "/api/v1/processes/<key>/events"): D,
    ("POST", "/api/v1/processes/<key>/versions"): D,
    ("GET", "/api/v1/processes/<key>/versions/<int:number>"): AD,
    ("GET", "/api/v1/processes/<key>/versions/<int:number>/bundle"): D,
    ("GET", "/api/v1/processes/<key>/versions/<int:number>/decisions"): D,
    ("GET", "/api/v1/processes/<key>/versions/<int:number>/diff"): AD,
    ("GET", "/api/v1/processes/<key>/versions/<int:number>/forms"): D,
    ("GET", "/api/v1/processes/<key>/versions/<int:number>/heatmap"): AD,
    ("GET", "/api/v1/processes/<key>/versions/<int:number>/migrations"): D,
    ("POST", "/api/v1/processes/<key>/versions/<int:number>/migrations"): D,
    ("GET", "/api/v1/sessions"): AC,
    ("POST", "/api/v1/sessions"): AC,
    ("GET", "/api/v1/sessions/<int:session_id>"): AC,
    ("POST", "/api/v1/sessions/<int:session_id>/attendance"): AC,
    ("POST", "/api/v1/sessions/<int:session_id>/cancel"): AC,
    ("POST", "/api/v1/sessions/<int:session_id>/enrollment"): AC,
    ("POST", "/api/v1/sessions/<int:session_id>/enrollments/<int:case_id>/cancel"): AC,
    ("GET", "/api/v1/sessions/export"): AC,
    ("GET", "/api/v1/statistics"): A,
    ("GET", "/api/v1/tasks"): A,
    ("POST", "/api/v1/tasks/<int:task_id>/claim"): A,
    ("POST", "/api/v1/tasks/<int:task_id>/complete"): A,
    ("POST", "/api/v1/tasks/<int:task_id>/unclaim"): A,
    ("GET", "/api/v1/tasks/export"): A,
    ("GET", "/api/v1/test-runs/<int:run_id>"): D,
    ("POST", "/api/v1/timers/run"): ADMIN_ONLY,
    ("GET", "/api/v1/users/<username>/groups"): ADMIN_ONLY,
    ("PUT", "/api/v1/users/<username>/groups"): ADMIN_ONLY,
    # ---- pages ----
    ("GET", "/ui/"): ADC,  # redirects to the user's home
    ("GET", "/ui/centres"): A,
    ("GET", "/ui/centres/<agrement>"): A,
    ("POST", "/ui/centres/<agrement>"): A,
    ("GET", "/ui/centres/nouveau"): A,
    ("POST", "/ui/centres/nouveau"): A,
    ("GET", "/ui/dossiers/<int:case_id>"): A,
    ("POST", "/ui/dossiers/<int:case_id>/attestation"): A,
    ("POST", "/ui/dossiers/<int:case_id>/changement/ecarter"): A,
    ("POST", "/ui/dossiers/<int:case_id>/changement/valider"): A,
    ("GET", "/ui/dossiers/<int:case_id>/courriers/<int:letter_id>"): A,
    ("GET", "/ui/dossiers/<int:case_id>/diagramme.bpmn"): A,
    ("GET", "/ui/dossiers/<int:case_id>/historique.<any(csv, xlsx):fmt>"): A,
    ("POST", "/ui/dossiers/<int:case_id>/inscription"): A,
    ("POST", "/ui/dossiers/<int:case_id>/taches/<int:task_id>"): A,
    ("GET", "/ui/envois"): ADMIN_ONLY,
    ("POST", "/ui/envois/<int:job_id>/relancer"): ADMIN_ONLY,
    ("GET", "/ui/groupes"): ADMIN_ONLY,
    ("POST", "/ui/groupes"): ADMIN_ONLY,
    ("POST", "/ui/groupes/<code>/nom"): ADMIN_ONLY,
    ("POST", "/ui/groupes/agents/<username>"): ADMIN_ONLY,
    ("GET", "/ui/incidents"): D,
    ("POST", "/ui/incidents/<int:incident_id>/resoudre"): D,
    ("GET", "/ui/journal"): ADMIN_ONLY,
    ("GET", "/ui/mon-centre"): C,
    ("GET", "/ui/nouvel-utilisateur"): ADMIN_ONLY,
    ("POST", "/ui/nouvel-utilisateur"): ADMIN_ONLY,
    ("GET", "/ui/permis/<number>"): A,
    ("GET", "/ui/permis/<number>/infraction"): A,
    ("POST", "/ui/permis/<number>/infraction"): A,
    ("GET", "/ui/permis/<number>/infractions/<int:infraction_id>/dossier-48n"): A,
    ("POST", "/ui/permis/<number>/infractions/<int:infraction_id>/dossier-48n"): A,
    ("GET", "/ui/permis/<number>/invalidation"): A,
    ("POST", "/ui/permis/<number>/invalidation"): A,
    ("GET", "/ui/permis/<number>/releve.<any(csv, xlsx):fmt>"): A,
    ("POST", "/ui/permis/<number>/stage-volontaire"): A,
    ("GET", "/ui/permis/nouveau"): A,
    ("POST", "/ui/permis/nouveau"): A,
    ("GET", "/ui/processus"): D,
    ("GET", "/ui/processus/<key>/brouillons"): D,
    ("GET", "/ui/processus/<key>/comparer"): D,
    ("GET", "/ui/processus/<key>/editeur"): D,
    ("POST", "/ui/processus/<key>/formulaire/apercu"): D,  # nothing stored: a preview
    ("GET", "/ui/processus/<key>/historique"): D,
    ("GET", "/ui/processus/<key>/versions/<int:number>"): D,
    ("GET", "/ui/processus/<key>/versions/<int:number>/carte-de-chaleur"): AD,
    ("GET", "/ui/processus/<key>/versions/<int:number>/migrations"): D,
    ("GET", "/ui/processus/brouillons/<int:draft_id>"): D,
    ("POST", "/ui/processus/brouillons/<int:draft_id>/courriers"): D,
    ("POST", "/ui/processus/brouillons/<int:draft_id>/courriers/apercu"): D,
    ("GET", "/ui/recherche"): A,
    ("GET", "/ui/recherche/dossiers.<any(csv, xlsx):fmt>"): A,
    ("GET", "/ui/recherche/permis.<any(csv, xlsx):fmt>"): A,
    ("GET", "/ui/sessions"): AC,
    ("GET", "/ui/sessions/<int:session_id>"): AC,
    ("GET", "/ui/sessions/<int:session_id>/annulation"): AC,
    ("POST", "/ui/sessions/<int:session_id>/annulation"): AC,
    ("GET", "/ui/sessions/<int:session_id>/desinscription/<int:case_id>"): AC,
    ("POST", "/ui/sessions/<int:session_id>/desinscription/<int:case_id>"): AC,
    ("POST", "/ui/sessions/<int:session_id>/inscription"): AC,
    ("POST", "/ui/sessions/<int:session_id>/presence"): AC,
    ("POST", "/ui/sessions/<int:session_id>/presence/fichier"): AC,
    ("GET", "/ui/sessions/<int:session_id>/presence/modele.csv"): AC,
    ("GET", "/ui/sessions/export.<any(csv, xlsx):fmt>"): AC,
    ("GET", "/ui/sessions/nouvelle"): AC,
    ("POST", "/ui/sessions/nouvelle"): AC,
    ("GET", "/ui/statistiques"): A,
    ("GET", "/ui/statistiques/export.csv"): A,
    ("GET", "/ui/statistiques/export.xlsx"): A,
    ("GET", "/ui/tableau-de-bord"): A,
    ("GET", "/ui/taches"): A,
    ("POST", "/ui/taches/<int:task_id>/prendre"): A,
    ("POST", "/ui/taches/<int:task_id>/rendre"): A,
    ("GET", "/ui/taches/attestations"): A,
    ("POST", "/ui/taches/attestations"): A,
    ("GET", "/ui/taches/export.<any(csv, xlsx):fmt>"): A,
    ("GET", "/ui/utilisateurs"): ADMIN_ONLY,
    ("GET", "/ui/utilisateurs/<username>"): ADMIN_ONLY,
    # an empty form changes nothing: a deactivation needs confirmation=oui, a new role or
    # password is refused (422); the reactivation of an active user is a no-op
    ("GET", "/ui/utilisateurs/<username>/desactivation"): ADMIN_ONLY,
    ("POST", "/ui/utilisateurs/<username>/desactivation"): ADMIN_ONLY,
    ("POST", "/ui/utilisateurs/<username>/jeton"): ADMIN_ONLY,
    ("GET", "/ui/utilisateurs/<username>/mot-de-passe"): ADMIN_ONLY,
    ("POST", "/ui/utilisateurs/<username>/mot-de-passe"): ADMIN_ONLY,
    ("POST", "/ui/utilisateurs/<username>/reactivation"): ADMIN_ONLY,
    ("GET", "/ui/utilisateurs/<username>/role"): ADMIN_ONLY,
    ("POST", "/ui/utilisateurs/<username>/role"): ADMIN_ONLY,
}

# The ids a centre owns or not: those of its own centre pass, the others are its one 403.
CENTRE_SCOPED = {"session_id", "agrement"}
UNKNOWN_INT = 987654
UNKNOWN = {"agrement": "R9999999999", "number": "999999999999", "key": "inconnu",
           "code": "inconnu", "username": "inconnu"}
# Arguments that name no stored object: the same value whatever the variant.
FIXED = {"fmt": "csv", "filename": "ui.css", "name": "inconnu"}
# An API body no schema accepts (every input schema refuses unknown fields): an allowed role
# gets 422 rather than changing anything, where the endpoint takes a body.
API_BODY = {"champ_inconnu_du_balayage": 1}
# A centre's foreign-id checks send a body its own session would accept, so that the answer is
# the ownership check's, not the body's validation.
CENTRE_BODY = {
    "/api/v1/sessions/<int:session_id>/attendance": {"records": [
        {"licence": NUM, "day1": "present", "day2": "present"}]},
    "/api/v1/sessions/<int:session_id>/cancel": {"on": "2026-03-02", "reason": "balayage"},
    "/api/v1/sessions/<int:session_id>/enrollment": {"licence": "999999999999"},
    "/api/v1/sessions/<int:session_id>/enrollments/<int:case_id>/cancel": {"reason": "balayage"},
}
# The query a route needs to reach its look-up.
QUERY = {"/api/v1/licences/<number>/balance": {"on": "2026-03-02"}}
# A key that names a collection, not a stored object: a designer starts a new process by
# saving its first draft, so an unknown key's drafts and history are empty lists, not a 404.
COLLECTIONS = {"/api/v1/processes/<key>/drafts", "/api/v1/processes/<key>/events"}
ROLE_REFUSAL = re.compile(r"Le rôle « [^»]+ » ne permet pas")  # « centre agréé »


def is_api(rule: str) -> bool:
    return rule.startswith("/api/")


def methods_of(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def routes(app) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            for method in methods_of(rule)}


def test_every_route_is_classified(app):
    """A new route fails here until ACCESS says who may call it; a removed one, too."""
    found = routes(app)
    missing = sorted(found - ACCESS.keys())
    stale = sorted(ACCESS.keys() - found)
    assert not missing, f"routes without an access expectation in ACCESS: {missing}"
    assert not stale, f"ACCESS entries for routes that no longer exist: {stale}"


REVIEW_NUM = "120175200456"
FOREIGN_NUM = "120175200789"  # the trainee of the other centre's session
FOREIGN_NAME = "Zéphyrine"    # and its holder's names: a centre must never read them
FOREIGN_LAST = "Étrangère-Balayage"


class World:
    """One of everything a path can name, made for real and all of one case (`real`), a second
    case for mismatched pairs (`mismatched`), and centre75's own session and agrément (`own`). The
    other centre's session holds a trainee whose name a centre must never read."""

    def __init__(self, api):
        self.api = api
        api.set_today("02/03/2026")
        self.own_session = api.session("12/06/2026", "13/06/2026", fill=0)
        self.other_session = api.session("12/06/2026", "13/06/2026", centre=OTHER_CENTRE,
                                         fill=0)
        api.licence(NUM)
        self.other_infraction = api.infraction(NUM, "01/02/2026", points=3)
        self.other_case = api.mandatory_case(NUM, self.other_infraction["id"], "02/03/2026")
        api.ok(api.post("/api/v1/licences", {
            "number": FOREIGN_NUM, "obtained_on": "2015-01-01", "probation": "none",
            "holder": {"last_name": FOREIGN_LAST, "first_name": FOREIGN_NAME,
                       "birth_date": "1990-01-01"},
            "formation_complementaire": False, "balance": {"points": 8, "on": "2025-01-01"}}),
            201)
        self.foreign_case = api.voluntary_case(FOREIGN_NUM)
        api.enroll(self.foreign_case["id"], self.other_session["id"])
        # a case at its manual review (as ApiClient.case_at_review): the clock on 06/06/2026
        api.licence(REVIEW_NUM, obtained="01/09/2025")
        self.infraction_id = api.infraction(REVIEW_NUM, "01/02/2026", points=3)["id"]
        api.set_today("10/03/2026")
        self.case = api.mandatory_case(REVIEW_NUM, self.infraction_id, "10/03/2026")
        held = api.session("05/06/2026", "06/06/2026", fill=0)
        api.enroll(self.case["id"], held["id"])
        api.set_today("06/06/2026")
        api.attendance(held["id"], [(REVIEW_NUM, "present", "present")])
        api.attestation(self.case["id"], "06/06/2026")
        api.complete(self.case["id"], "verification_attestation", decision="valider")
        self.task = api.task(self.case["id"], "examen_manuel")
        with transaction():
            self.letter_id = letters.issue_letter(cases.get(self.case["id"]),
                                                  "signalement_procureur", actor="agent")
        self.job_id = db.session.query(OutboxJob.id).order_by(OutboxJob.id).first()[0]
        self.draft = api.ok(api.request(
            "POST", "/api/v1/processes/stage_volontaire/drafts", as_="designer",
            raw=renamed_volontaire(), headers=xml_headers()), 201)
        now = clock().system_now()
        with transaction():
            version = db.session.query(ProcessVersion).order_by(ProcessVersion.id).first()
            incident = Incident(case_id=self.case["id"], version_id=version.id,
                                command="balayage", message="erreur", actor="agent", at=now,
                                last_at=now)
            run = DraftTestRun(draft_id=self.draft["id"], status="reussi",
                               requested_by="designer", requested_at=now)
            db.session.add_all([incident, run])
            db.session.flush()
            self.incident_id, self.run_id = incident.id, run.id
        api.ok(api.post("/api/v1/groups", {"code": "balayage", "name": "Balayage"}), 201)
        db.session.remove()

    def real(self) -> dict:
        return {"case_id": self.case["id"], "letter_id": self.letter_id,
                "task_id": self.task["id"], "draft_id": self.draft["id"],
                "run_id": self.run_id, "incident_id": self.incident_id, "job_id": self.job_id,
                "infraction_id": self.infraction_id, "session_id": self.other_session["id"],
                "trainee_id": self.foreign_case["id"],
                "agrement": OTHER_CENTRE, "number": REVIEW_NUM, "key": "stage_obligatoire",
                "number_int": 1, "code": "balayage", "username": "agent"}

    def own(self) -> dict:
        """What centre75 may name: its own session and agrément."""
        return dict(self.real(), session_id=self.own_session["id"], agrement=CENTRE)

    def mismatched(self, rule) -> dict | None:
        """Real ids of two objects that do not belong together (another case's letter or
        task, another licence's infraction), when the rule names such a pair."""
        args = set(rule.arguments)
        if args >= {"case_id", "letter_id"} or args >= {"case_id", "task_id"}:
            return dict(self.real(), case_id=self.other_case["id"])
        if args >= {"number", "infraction_id"}:
            return dict(self.real(), number=NUM)
        if args >= {"session_id", "case_id"} and not is_api(rule.rule):
            # a case that is not the session's trainee (the API's body is checked first: 422)
            return dict(self.real(), trainee_id=self.case["id"])
        return None


def unknown_ids(rule) -> dict:
    out = {}
    for arg, conv in rule._converters.items():
        if arg in FIXED:
            continue
        if isinstance(conv, IntegerConverter):
            out[arg] = UNKNOWN_INT
        else:
            assert arg in UNKNOWN, f"{rule.rule}: name an unknown <{arg}> in UNKNOWN"
            out[arg] = UNKNOWN[arg]
    return out


def fill(rule, ids: dict) -> str:
    if {"session_id", "case_id"} <= set(rule.arguments) and "trainee_id" in ids:
        ids = dict(ids, case_id=ids["trainee_id"])  # a case named with a session: its trainee

    def value(match):
        arg = match.group(1)
        if arg in FIXED:
            return FIXED[arg]
        if arg == "number" and isinstance(rule._converters[arg], IntegerConverter):
            return str(ids.get("number_int", ids[arg]))  # a process version's number
        assert arg in ids, f"{rule.rule}: make a real <{arg}> in World and name it in real()"
        return str(ids[arg])
    return re.sub(r"<(?:[^:<>]+:)?(\w+)>", value, rule.rule)


class Callers:
    """An API bearer client per user, and a logged-in browser per user, made afresh when a
    call may have ended its session (the logout)."""

    def __init__(self, api):
        self.api = api
        self.browsers: dict[str | None, UiClient] = {}

    def browser(self, user: str | None) -> UiClient:
        if user not in self.browsers:
            client = UiClient(self.api.app)
            if user is None:
                client.get("/ui/connexion")  # an anonymous session with its CSRF token
            else:
                client.login(user)
            self.browsers[user] = client
        return self.browsers[user]

    def call(self, method: str, path: str, user: str | None, body=None, query=None):
        resp = self._call(method, path, user, body, query or {})
        resp.get_data()  # a streamed export runs to its end inside the request
        resp.close()
        return resp

    def _call(self, method: str, path: str, user: str | None, body, query: dict):
        if is_api(path):
            if method != "GET" and body is None:
                body = API_BODY
            return self.api.request(method, path, body, as_=user, **query)
        client = self.browser(user)
        if path == "/ui/deconnexion":
            self.browsers.pop(user)  # this call ends the browser's session
        if method == "GET":
            return client.get(path, **query)
        return client.post(path, {})


def answer(resp, path: str) -> tuple:
    """What a caller learns: the status and the whole body, but for the path it asked for
    (a page's links name it, percent-encoded or not) and the session's CSRF token."""
    body = resp.get_data(as_text=True)
    body = re.sub(r'(name="csrf-token" content|name="csrf_token" value)="[^"]*"', r"\1", body)
    for form in (path, quote(path, safe="")):
        body = body.replace(form, "<chemin>")
    return resp.status_code, body


@pytest.fixture
def world(api):
    return World(api)


def test_every_route_answers_as_classified(app, api, world):
    callers = Callers(api)
    real, own = world.real(), world.own()
    failures: list[str] = []
    checked = 0

    def expect(ok: bool, what: str, method: str, path: str, user, resp) -> None:
        if not ok:
            failures.append(f"{method} {path} as {user or 'nobody'}: {what}, got "
                            f"{resp.status_code} {resp.get_data(as_text=True)[:200]!r}")

    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in methods_of(rule):
            allowed = ACCESS.get((method, rule.rule))
            if allowed is None:
                continue  # test_every_route_is_classified names it
            checked += 1
            id_args = set(rule.arguments) - FIXED.keys()
            variants = [real, unknown_ids(rule)] if id_args else [real]
            query = QUERY.get(rule.rule)
            paths = [fill(rule, ids) for ids in variants]
            api_route = is_api(rule.rule)
            # -- nobody
            for path in paths:
                resp = callers.call(method, path, None, query=query)
                if allowed is PUBLIC:
                    expect((not api_route or resp.status_code != 401) and not resp.headers.get(
                        "Location", "").startswith("/ui/connexion?next"),
                        "a public route asked for a login", method, path, None, resp)
                elif api_route:
                    expect(resp.status_code == 401 and
                           resp.mimetype == "application/problem+json",
                           "expected 401 problem+json", method, path, None, resp)
                else:
                    expect(resp.status_code == 302 and resp.headers["Location"].startswith(
                        "/ui/connexion?next="), "expected a redirect to the login",
                        method, path, None, resp)
            if allowed is PUBLIC:
                continue
            for role in ROLES:
                user = USER_OF[role]
                if role != ADMIN and role not in allowed:
                    # -- a role not allowed: one 403 whatever the id
                    answers = [callers.call(method, path, user, query=query) for path in paths]
                    for path, resp in zip(paths, answers, strict=True):
                        expect(resp.status_code == 403, "expected the role's 403", method,
                               path, user, resp)
                        if api_route:
                            expect(resp.mimetype == "application/problem+json",
                                   "expected problem+json", method, path, user, resp)
                    expect(len({repr(answer(r, p)) for r, p in zip(answers, paths,
                                                                   strict=True)}) == 1,
                           "the refusal depends on the id", method, paths[-1], user,
                           answers[-1])
                    continue
                # -- an allowed role: never the login's nor the role's refusal
                mine = own if role == CENTRE_ROLE else real
                path = fill(rule, mine)
                resp = callers.call(method, path, user, query=query)
                role_refused = resp.status_code == 403 and bool(
                    ROLE_REFUSAL.search(resp.get_data(as_text=True)))
                expect(resp.status_code != 401 and not role_refused and not (
                    resp.status_code == 302 and "/ui/connexion" in resp.headers.get(
                        "Location", "")), "an allowed role was refused", method, path, user,
                       resp)
                if role == CENTRE_ROLE and CENTRE_SCOPED & set(rule.arguments):
                    expect(resp.status_code != 403, "its own id was refused", method, path,
                           user, resp)
                    # -- another centre's and unknown ids: one 403, word for word
                    answers = [callers.call(method, p, user, CENTRE_BODY.get(rule.rule), query)
                               for p in paths]
                    for p, r in zip(paths, answers, strict=True):
                        expect(r.status_code == 403, "a foreign id was not refused", method,
                               p, user, r)
                    expect(len({repr(answer(r, p)) for r, p in zip(answers, paths,
                                                                   strict=True)}) == 1,
                           "the centre's refusal depends on the id", method, paths[-1], user,
                           answers[-1])
                if role != CENTRE_ROLE:
                    if method == "GET" and resp.status_code >= 400:
                        expect(False, "real ids did not open it", method, path, user, resp)
                    pair = world.mismatched(rule)
                    if pair is not None:
                        path = fill(rule, pair)
                        resp = callers.call(method, path, user, query=query)
                        expect(resp.status_code == 404, "a mismatched pair is not a 404",
                               method, path, user, resp)
                    if method == "GET" and id_args and rule.rule not in COLLECTIONS:
                        path = paths[-1]
                        resp = callers.call(method, path, user, query=query)
                        expect(resp.status_code == 404, "an unknown id is not a 404",
                               method, path, user, resp)
    assert checked == len(ACCESS)
    assert not failures, "\n".join(failures)


# ---- what a centre reads: nothing of another centre, on any route it may open ------------------

def readable(resp) -> str:
    """The text of an answer: a page, JSON, CSV, or the XML inside an XLSX."""
    raw = resp.get_data()
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return " ".join(archive.read(n).decode("utf-8", "replace")
                            for n in archive.namelist() if n.endswith(".xml"))
    return html.unescape(raw.decode("utf-8", "replace"))


def test_a_centre_reads_nothing_of_another_centre_on_any_route(api, world):
    """Every GET route a centre may call (from ACCESS), with its own ids and with filters that
    name the other centre and its trainee: no answer holds the other centre's agrément or name,
    its trainee's licence number, names or case, nor a case waiting outside its sessions."""
    callers = Callers(api)
    own = world.own()
    foreign = [OTHER_CENTRE, "Bobigny", FOREIGN_NUM, FOREIGN_NAME, FOREIGN_LAST,
               world.foreign_case["reference"], NUM, world.other_case["reference"]]
    queries = [{}, {"centre": OTHER_CENTRE}, {"centre": OTHER_CENTRE, "statut": "planned"},
               {"q": FOREIGN_LAST}, {"licence": FOREIGN_NUM},
               {"format": "xlsx", "centre": OTHER_CENTRE}, {"format": "xlsx"}]
    routes_read = []
    for (method, rule_text), allowed in sorted(ACCESS.items()):
        if method != "GET" or CENTRE_ROLE not in allowed or allowed is PUBLIC:
            continue
        rule = next(r for r in api.app.url_map.iter_rules() if r.rule == rule_text)
        for query in queries:
            path = fill(rule, own)
            resp = callers.call("GET", path, "centre75", query=query)
            body = readable(resp).casefold()
            # what the caller typed may be echoed (a filter's field, an export link's query)
            leaked = [m for m in foreign if m.casefold() in body and m not in query.values()]
            assert not leaked, (path, query, resp.status_code, leaked)
        routes_read.append(rule_text)
    assert len(routes_read) >= 12, routes_read
    # the markers are there to be found: a clerk reads them on the same routes
    agent_reads = readable(callers.call("GET", "/ui/sessions/export.csv", "agent"))
    agent_reads += readable(callers.call(
        "GET", f"/ui/sessions/{world.other_session['id']}", "agent"))
    assert all(m.casefold() in agent_reads.casefold() for m in foreign[:5]), agent_reads[:300]
    sheet = readable(callers.call("GET", "/api/v1/sessions/export", "agent",
                                  query={"format": "xlsx"}))
    assert "Bobigny" in sheet and OTHER_CENTRE in sheet  # an XLSX is read, not skipped


def test_a_designer_reads_no_personal_data_on_any_route(api, world):
    """Every GET route a designer may call (from ACCESS), with real ids: no holder's name,
    licence number or birth date (a designer needs the process, not the people; the migration
    of one case answers its step only: test_case_migration.py)."""
    callers = Callers(api)
    personal = ["Martin", "Léa", "2004-05-02", "02/05/2004", NUM, REVIEW_NUM, FOREIGN_NUM,
                FOREIGN_NAME, FOREIGN_LAST]
    read = 0
    for (method, rule_text), allowed in sorted(ACCESS.items()):
        if method != "GET" or DESIGNER not in allowed or allowed is PUBLIC:
            continue
        rule = next(r for r in api.app.url_map.iter_rules() if r.rule == rule_text)
        path = fill(rule, world.real())
        resp = callers.call("GET", path, "designer", query=QUERY.get(rule_text))
        assert resp.status_code < 400, (path, resp.status_code)
        body = readable(resp)
        assert not [m for m in personal if m in body], (path, body[:500])
        read += 1
    assert read >= 25, read
    assert "Martin" in readable(callers.call("GET", f"/ui/dossiers/{world.case['id']}", "agent"))


# ---- CSRF: every state-changing route, UI and API ------------------------------------------------

def test_every_state_changing_route_needs_the_csrf_token(api, world):
    """Every POST/PUT/PATCH of ACCESS: a UI form without the session's token, or with another
    one, is a 400 (public forms too: the login and the logout); an API call authenticated by
    the session cookie without X-CSRF-Token, or with a wrong one, is a 400; nothing is stored.
    With the right header the same API call goes past the check."""
    callers = Callers(api)
    admin = callers.browser("admin")
    nobody = callers.browser(None)
    real = world.real()
    checked = 0
    with unchanged():
        for (method, rule_text), allowed in sorted(ACCESS.items()):
            if method == "GET":
                continue
            rule = next(r for r in api.app.url_map.iter_rules() if r.rule == rule_text)
            path = fill(rule, real)
            checked += 1
            if is_api(rule_text):
                for headers in ({}, {"X-CSRF-Token": "pas-le-bon-jeton"}):
                    resp = admin._done(admin.http.open(path, method=method, json=API_BODY,
                                                        headers=headers))
                    body = assert_problem(resp, 400)
                    assert "X-CSRF-Token" in body["detail"], (method, path, body)
                continue
            for client in (admin, nobody) if allowed is PUBLIC else (admin,):
                for form in ({}, {"csrf_token": "pas-le-bon-jeton"}):
                    resp = client._done(client.http.open(path, method=method, data=form))
                    assert resp.status_code == 400, (method, path, resp.status_code)
                    assert "Jeton CSRF absent ou invalide" in readable(resp), (method, path)
    assert checked == sum(1 for m, _ in ACCESS if m != "GET")
    # the admin's session survived every refused logout, and the right header passes the check
    resp = admin._done(admin.http.put("/api/v1/clock", json={"today": "2026-06-06"},
                                      headers={"X-CSRF-Token": admin.csrf()}))
    assert resp.status_code == 200, resp.get_json()


# Tables a GET may write: what is derived, never what anyone decided. A letter's PDF is laid
# out at its first download if the outbox worker has not yet (services/letters); the statistics'
# roll-up adds the cases marked since the last read (services/stat_counters); a login session's
# idle timer restarts at most once a minute (services/users.restart_idle_timer).
DERIVED_TABLES = {"letter", "stat_counters", "stat_steps", "stat_case_parts", "login_sessions"}


def test_no_get_changes_anything_but_derived_data(api, world):
    """Only the methods that change state need the CSRF token, so no GET may change state:
    every GET route, called by every role, leaves every table as it was but DERIVED_TABLES."""
    callers = Callers(api)
    for role in ROLES:
        callers.browser(USER_OF[role])  # the logins write their sessions before the snapshot
    before = snapshot()
    calls = 0
    for (method, rule_text), _ in sorted(ACCESS.items()):
        if method != "GET":
            continue
        rule = next(r for r in api.app.url_map.iter_rules() if r.rule == rule_text)
        for role in ROLES:
            ids = world.own() if role == CENTRE_ROLE else world.real()
            callers.call("GET", fill(rule, ids), USER_OF[role], query=QUERY.get(rule_text))
            calls += 1
    after = snapshot()
    changed = sorted(t for t in after if after[t] != before[t] and t not in DERIVED_TABLES)
    assert not changed, changed
    assert calls >= 4 * 90, calls


# ---- sessions end: logout, deactivation, a new role, on every route ------------------------------

def _cli(api, *args: str) -> None:
    result = api.app.test_cli_runner().invoke(args=["users", *args])
    db.session.remove()
    assert result.exit_code == 0, result.output


def _second_admin(api, username: str) -> tuple[UiClient, str]:
    """A browser logged in as a new admin, and an API token of theirs."""
    with transaction():
        users.create(username, "admin", "motdepasse-test")
        api.tokens[username] = users.new_token(users.get_by_name(username))
    db.session.remove()
    browser = UiClient(api.app)
    browser.login(username)
    return browser, api.tokens[username]


def _every_route_refuses(api, world, browser: UiClient, token: str | None, status: int,
                         what: str) -> int:
    """Every non-public route, called with the browser's cookie (API and pages) and with the
    token: API `status` problem+json; pages the login's redirect (401) or 403."""
    real, failures, checked = world.real(), [], 0
    for (method, rule_text), allowed in sorted(ACCESS.items()):
        if allowed is PUBLIC or (status == 403 and AGENT in allowed):
            continue
        rule = next(r for r in api.app.url_map.iter_rules() if r.rule == rule_text)
        path = fill(rule, real)
        query = QUERY.get(rule_text)
        checked += 1
        if is_api(rule_text):
            calls = [browser._done(browser.http.open(
                path, method=method, query_string=query,
                json=None if method == "GET" else API_BODY,
                headers={} if method == "GET" else {"X-CSRF-Token": browser.csrf()}))]
            if token is not None:
                calls.append(api.http.open(path, method=method, query_string=query,
                                           json=None if method == "GET" else API_BODY,
                                           headers={"Authorization": f"Bearer {token}"}))
                db.session.remove()
            for resp in calls:
                resp.get_data()
                if resp.status_code != status or resp.mimetype != "application/problem+json":
                    failures.append(f"{method} {path}: {resp.status_code}")
            continue
        resp = browser.get(path, **(query or {})) if method == "GET" else browser.post(path)
        resp.get_data()
        ok = (resp.status_code == 302 and resp.headers["Location"].startswith(
            "/ui/connexion?next=")) if status == 401 else resp.status_code == 403
        if not ok:
            failures.append(f"{method} {path}: {resp.status_code}")
    assert not failures, f"{what}: " + "\n".join(failures)
    return checked


def test_a_deactivated_users_cookie_and_token_stop_working_on_every_route(api, world):
    browser, token = _second_admin(api, "admin2")
    assert browser.get("/ui/journal").status_code == 200
    assert api.get("/api/v1/admin/events", as_="admin2").status_code == 200
    _cli(api, "deactivate", "admin2")
    checked = _every_route_refuses(api, world, browser, token, 401, "deactivated")
    assert checked == sum(1 for a in ACCESS.values() if a is not PUBLIC)


def test_a_cookie_kept_after_logout_works_on_no_route(api, world):
    browser, _ = _second_admin(api, "admin2")
    cookie = browser.http.get_cookie("session").value
    assert browser.post("/ui/deconnexion").status_code == 302
    browser.http.set_cookie("session", cookie)  # a copy taken before the logout
    _every_route_refuses(api, world, browser, None, 401, "after logout")


def test_a_role_change_holds_at_the_next_request_on_every_route(api, world):
    """An admin made an agent: the browser's session ends (as above, 401), the token stays and
    gets the agent's 403 on every route an agent may not call."""
    browser, token = _second_admin(api, "admin2")
    _cli(api, "role", "admin2", "--role", "agent")
    _every_route_refuses(api, world, browser, None, 401, "role changed (session)")
    fresh = UiClient(api.app)
    fresh.login("admin2")  # logged in again: now an agent
    _every_route_refuses(api, world, fresh, token, 403, "role changed (agent)")


def test_a_centre_moved_to_another_centre_sees_the_new_one_at_the_next_request(api, world):
    """`users role centre75 --role centre --centre <other>`: its browser session ends, its token
    stays and reads the new centre's session, and its former centre's is the one 403."""
    browser = UiClient(api.app)
    browser.login("centre75")
    own, other = world.own_session["id"], world.other_session["id"]
    assert api.get(f"/api/v1/sessions/{own}", as_="centre75").status_code == 200
    assert_problem(api.get(f"/api/v1/sessions/{other}", as_="centre75"), 403)
    _cli(api, "role", "centre75", "--role", "centre", "--centre", OTHER_CENTRE)
    page = browser.get(f"/ui/sessions/{own}")
    assert page.status_code == 302 and page.headers["Location"].startswith("/ui/connexion")
    assert api.get(f"/api/v1/sessions/{other}", as_="centre75").status_code == 200
    assert_problem(api.get(f"/api/v1/sessions/{own}", as_="centre75"), 403)
    listed = api.ok(api.get("/api/v1/sessions", as_="centre75"))["items"]
    assert {s["centre"] for s in listed} == {OTHER_CENTRE}
