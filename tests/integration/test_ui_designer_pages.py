"""The designers' pages under /ui/processus, server side: who may open them, 404 for what does
not exist, the CSRF token and the configuration handed to the page's script, and no inline
script (a CSP may forbid them: every script is a static file or a JSON data block)."""

from __future__ import annotations

import json
import re

import pytest

from tests.designer_support import renamed_volontaire, xml_headers
from tests.ui_support import log_in_directly

KEY = "stage_obligatoire"
PAGES = ["/ui/processus", f"/ui/processus/{KEY}/versions/1",
         f"/ui/processus/{KEY}/comparer?de=1&a=1", f"/ui/processus/{KEY}/brouillons",
         f"/ui/processus/{KEY}/historique", f"/ui/processus/{KEY}/editeur",
         "/ui/processus/stage_volontaire/editeur?brouillon={draft}",
         f"/ui/processus/{KEY}/editeur?version=1",
         "/ui/processus/brouillons/{draft}", f"/ui/processus/{KEY}/versions/1/migrations"]
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL)
INLINE_HANDLER = re.compile(r"<[a-z]+\s[^>]*\bon[a-z]+\s*=", re.IGNORECASE)


def _client(api, username: str | None):
    client = api.app.test_client()
    if username:
        log_in_directly(client, username)
    return client


def _draft(api) -> int:
    """A saved draft (the draft page answers 404 for an unknown draft)."""
    return api.ok(api.request("POST", "/api/v1/processes/stage_volontaire/drafts",
                              as_="designer", raw=renamed_volontaire(),
                              headers=xml_headers()), 201)["id"]


def _config(html: str) -> dict:
    block = re.search(r'<script type="application/json" id="designer-config">(.*?)</script>',
                      html, re.DOTALL)
    return json.loads(block.group(1))


@pytest.mark.parametrize("path", PAGES)
def test_designer_and_admin_open_every_page_without_inline_script(api, path):
    path = path.format(draft=_draft(api))
    for username in ("designer", "admin"):
        resp = _client(api, username).get(path)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200, (username, path, html[:300])
        assert '<html lang="fr"' in html
        token = re.search(r'<meta name="csrf-token" content="([^"]+)">', html)
        assert token and len(token.group(1)) >= 32
        for attrs, body in SCRIPT.findall(html):
            assert "src=" in attrs or 'type="application/json"' in attrs, (path, attrs, body)
            assert "src=" not in attrs or not body.strip(), (path, attrs)
        assert not INLINE_HANDLER.search(html), (path, INLINE_HANDLER.search(html))
        config = _config(html)
        assert config["role"] == ("admin" if username == "admin" else "designer")
        assert config["base"] == "/ui/processus"


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("username", ["agent", "centre75"])
def test_other_roles_are_refused(api, path, username):
    path = path.format(draft=_draft(api))
    resp = _client(api, username).get(path)
    assert resp.status_code == 403
    assert "Accès refusé" in resp.get_data(as_text=True)


def test_anonymous_is_sent_to_the_login_form(api):
    resp = _client(api, None).get("/ui/processus/stage_obligatoire/editeur")
    assert resp.status_code == 302
    assert "/ui/connexion?next=" in resp.headers["Location"]


@pytest.mark.parametrize("path", [
    "/ui/processus/inconnu/editeur", "/ui/processus/inconnu/brouillons",
    "/ui/processus/inconnu/historique", "/ui/processus/inconnu/comparer",
    f"/ui/processus/{KEY}/versions/99", f"/ui/processus/{KEY}/versions/99/migrations",
    f"/ui/processus/{KEY}/editeur?version=99", f"/ui/processus/{KEY}/editeur?brouillon=abc",
    f"/ui/processus/{KEY}/editeur?brouillon=" + "9" * 5000, "/ui/processus/brouillons/987654",
    f"/ui/processus/{KEY}/editeur?brouillon=987654"])
def test_what_does_not_exist_is_a_french_404(api, path):
    resp = _client(api, "designer").get(path)
    assert resp.status_code == 404
    assert "introuvable" in resp.get_data(as_text=True)


def test_the_editor_is_told_what_to_open(api):
    html = _client(api, "designer").get(f"/ui/processus/{KEY}/editeur").get_data(as_text=True)
    config = _config(html)
    assert (config["page"], config["key"], config["version"], config["draft"]) == \
        ("editor", KEY, 1, None)
    assert "bpmn-modeler.production.min.js" in html and "bpmn-fr.js" in html
    draft = _draft(api)  # a draft of stage_volontaire
    config = _config(_client(api, "designer")
                     .get(f"/ui/processus/stage_volontaire/editeur?brouillon={draft}")
                     .get_data(as_text=True))
    assert (config["key"], config["draft"]) == ("stage_volontaire", draft)
    # asked in another process's editor, it opens in its own
    resp = _client(api, "designer").get(f"/ui/processus/{KEY}/editeur?brouillon={draft}")
    assert resp.status_code == 302
    assert resp.location.endswith(f"/ui/processus/stage_volontaire/editeur?brouillon={draft}")


def test_the_diff_page_defaults_to_the_previous_version_and_ignores_bad_numbers(api):
    client = _client(api, "designer")
    config = _config(client.get(f"/ui/processus/{KEY}/comparer").get_data(as_text=True))
    assert (config["since"], config["to"]) == (1, 1)  # one version deployed
    config = _config(client.get(f"/ui/processus/{KEY}/comparer?de=x&a=-2")
                     .get_data(as_text=True))
    assert (config["since"], config["to"]) == (1, 1)


def test_the_draft_page_lists_the_acceptance_features(api):
    html = _client(api, "designer").get(f"/ui/processus/brouillons/{_draft(api)}") \
        .get_data(as_text=True)
    features = _config(html)["features"]
    names = {f["name"] for f in features}
    assert {"stage_obligatoire", "remboursement", "volontaire"} <= names
    assert all(f["scenarios"] >= 1 and f["title"] for f in features)
    for name in names:
        assert f'id="feature-{name}" name="features" value="{name}" checked' in html


def _run_count(path) -> tuple[int, int]:
    """What a run of the feature file reports (one result per scenario, one per example row of
    an outline: services/design/sandbox.parse_cucumber), counted from its lines: (results,
    example rows)."""
    results = rows = 0
    outline = in_examples = header = False
    for line in path.read_text(encoding="utf-8").splitlines():
        word = line.strip().split(":", 1)[0].strip()
        if word in ("Scénario", "Exemple"):
            results, outline, in_examples = results + 1, False, False
        elif word == "Plan du scénario":
            outline, in_examples = True, False
        elif word == "Exemples" and outline:
            in_examples, header = True, True
        elif in_examples and line.strip().startswith("|"):
            if header:
                header = False
            else:
                results, rows = results + 1, rows + 1
        elif in_examples and line.strip() and not line.strip().startswith("#"):
            in_examples = False
    return results, rows


def test_the_draft_page_counts_the_scenarios_as_a_run_reports_them(api):
    """A QA finding: « remboursement.feature — 7 scénarios » on the draft page, « 9 scénarios …
    sur 9 » in its run: an outline runs once per example."""
    from services.design import sandbox

    html = _client(api, "designer").get(f"/ui/processus/brouillons/{_draft(api)}") \
        .get_data(as_text=True)
    features = {f["name"]: f for f in _config(html)["features"]}
    for name, feature in features.items():
        results, rows = _run_count(sandbox.FEATURES_DIR / f"{name}.feature")
        assert (feature["scenarios"], feature["examples"]) == (results, rows), name
    results, rows = _run_count(sandbox.FEATURES_DIR / "remboursement.feature")
    assert rows >= 1  # the file has an outline: the case the page miscounted
    assert (f"remboursement.feature — {results} scénarios, dont {rows} ligne"
            f"{'s' if rows > 1 else ''} d'exemples") in html


def test_the_designer_lands_on_the_versions_and_sees_the_nav_entry(api):
    client = api.app.test_client()
    client.get("/ui/connexion")
    with client.session_transaction() as sess:
        token = sess["csrf_token"]
    resp = client.post("/ui/connexion", data={"username": "designer", "password": "motdepasse-test",
                                              "csrf_token": token})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/ui/processus")
    assert client.get("/ui/").headers["Location"].endswith("/ui/processus")
    html = client.get("/ui/processus").get_data(as_text=True)
    assert re.search(r'href="/ui/processus" aria-current="page">Processus</a>', html)
    agent = _client(api, "agent").get("/ui/tableau-de-bord").get_data(as_text=True)
    assert ">Processus</a>" not in agent
    admin = _client(api, "admin").get("/ui/tableau-de-bord").get_data(as_text=True)
    assert ">Processus</a>" in admin
