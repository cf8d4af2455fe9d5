"""A filter of a clerk's list that cannot be applied (an edited or old URL: an unknown status, a
date that does not exist) is said on the page, in French, naming the filter and why: a QA pass
found them silently dropped, the page showing another list than the one asked for."""

from __future__ import annotations

import pytest

from tests.ui_support import UiClient

NOTICE = "ui-ignored-filter"


@pytest.fixture
def admin(api):
    client = UiClient(api.app)
    client.login("admin")
    return client


@pytest.mark.parametrize(("path", "query", "said"), [
    ("/ui/sessions", {"statut": "ouverte"},
     "Filtre « Statut » ignoré : « ouverte », valeur inconnue (valeurs possibles : "
     "« Planifiée », « Tenue », « Annulée »)."),
    ("/ui/taches", {"filtre": "les-miennes"},
     "Filtre « Attribution » ignoré : « les-miennes », valeur inconnue"),
    ("/ui/taches", {"tri": "nom"}, "Filtre « Trier par » ignoré : « nom », valeur inconnue"),
    ("/ui/taches", {"echeance_avant": "2026-02-31"},
     "Filtre « Délai au plus tard le » ignoré : « 2026-02-31 », date illisible ou inexistante"),
    ("/ui/incidents", {"etat": "fermes"}, "Filtre « État » ignoré : « fermes », valeur inconnue "
                                          "(valeurs possibles : « Ouverts », « Résolus »"),
    ("/ui/envois", {"etat": "perdu"}, "Filtre « État » ignoré : « perdu », valeur inconnue"),
])
def test_an_ignored_filter_is_said_on_the_page(admin, path, query, said):
    resp = admin.http.get(path, query_string=query)
    assert resp.status_code == 200, (path, resp.status_code)
    page = resp.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')
    assert NOTICE in page and said in page, page[page.find("<main"):][:1500]


@pytest.mark.parametrize(("path", "query"), [
    ("/ui/sessions", {"statut": "cancelled"}), ("/ui/taches", {"filtre": "mine", "tri":
                                                               "-creation",
                                                               "echeance_avant": "2026-02-28"}),
    ("/ui/incidents", {"etat": "resolus"}), ("/ui/envois", {"etat": "tous"}), ("/ui/taches", {}),
])
def test_valid_or_absent_filters_say_nothing(admin, path, query):
    resp = admin.http.get(path, query_string=query)
    assert resp.status_code == 200 and NOTICE not in resp.get_data(as_text=True)


def test_an_ignored_filter_value_is_escaped(admin):
    page = admin.http.get("/ui/sessions", query_string={"statut": "<b>x</b>"}).get_data(
        as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page


def test_the_api_keeps_its_documented_answer_to_an_unknown_parameter(api):
    """API.md: the API's own checks are unchanged (a 422 on an unknown parameter)."""
    resp = api.get("/api/v1/cases", tri="nom")
    assert resp.status_code == 422
