"""The analysts' steps fail in French, never with a raw dump or a Python error (QA pass on
tests/bdd/): a session the API refuses, an example folder that does not exist, a
probationary licence « avec 8 points » (R2, R3, R4)."""

from __future__ import annotations

import pytest

from tests.bdd.outils import Contexte, RefusInattendu


def _step(function):
    """The step's own function (pytest-bdd wraps it as a fixture)."""
    return getattr(function, "__wrapped__", function)


def test_a_session_the_api_refuses_names_the_fields_and_the_detail_r31_d12(api):
    from tests.bdd.etapes_stage import session_programmee

    ctx = Contexte(api=api)
    with pytest.raises(RefusInattendu) as refus:
        # a Sunday (R31), then a Tuesday: not consecutive (D12)
        _step(session_programmee)(ctx, "07/06/2026", "09/06/2026", None)
    message = str(refus.value)
    assert message.startswith("L'application a refusé « programmer une session les "
                              "07/06/2026 et 09/06/2026 » (code HTTP 422) : ")
    assert "est un dimanche" in message and "consécutives" in message
    assert "Champs refusés : « second jour » (day2) ; « premier jour » (day1)." in message
    assert "{" not in message and "'errors'" not in message
    assert ctx.session is None and ctx.sessions == []


def test_a_session_step_that_succeeds_still_fills_the_session_r32(api):
    from tests.bdd.etapes_stage import session_programmee

    ctx = Contexte(api=api)
    _step(session_programmee)(ctx, "05/06/2026", "06/06/2026", "2")
    session = api.ok(api.get(f"/api/v1/sessions/{ctx.session['id']}"))
    assert len(session["enrollments"]) == 2
    assert len(api.fillers[ctx.session["id"]]) == 2


def test_a_refused_field_message_not_in_the_detail_is_given_with_its_field():
    from tests.bdd.outils import refus_lisible

    class Reponse:
        status_code = 422

        @staticmethod
        def get_json(silent=False):
            return {"title": "Données invalides", "detail": "Données invalides",
                    "errors": {"letter_48n.received_on": ["date future"], "x.y": "requis"}}

    message = refus_lisible(Reponse, "ouvrir le dossier")
    assert message == ("L'application a refusé « ouvrir le dossier » (code HTTP 422) : Données "
                       "invalides. Champs refusés : « date de réception » "
                       "(letter_48n.received_on) : date future ; « x.y » : requis.")


def test_a_missing_example_folder_is_named_with_the_existing_ones(api):
    from tests.bdd.etapes_generiques import deploye_depuis_exemple

    ctx = Contexte(api=api)
    with pytest.raises(AssertionError) as refus:
        _step(deploye_depuis_exemple)(ctx, "stage_volontaire", "appel_conducter")
    message = str(refus.value)
    assert message.startswith("L'exemple « appel_conducter » n'existe pas")
    assert "« appel_conducteur »" in message and "« actions_catalogue »" in message


def test_an_example_file_named_instead_of_its_folder_says_which_folder(api):
    from tests.bdd.etapes_generiques import deploye_depuis_exemple

    with pytest.raises(AssertionError,
                       match="est un fichier de l.exemple « signalement_par_groupe » : "):
        _step(deploye_depuis_exemple)(Contexte(api=api), "stage_volontaire",
                                      "groupe_signalement.dmn")
    with pytest.raises(AssertionError, match="est un fichier des exemples « actions_catalogue »,"):
        _step(deploye_depuis_exemple)(Contexte(api=api), "stage_volontaire",
                                      "stage_volontaire.bpmn")
    with pytest.raises(AssertionError, match="n'existe pas"):
        _step(deploye_depuis_exemple)(Contexte(api=api), "stage_volontaire", "../exemples")


def test_a_probationary_licence_with_more_than_6_points_is_refused_in_french_r2_r4(api):
    from tests.bdd.etapes_permis import permis_probatoire_avec_points

    ctx = Contexte(api=api)
    with pytest.raises(AssertionError) as refus:
        _step(permis_probatoire_avec_points)(ctx, "probatoire", "01/09/2025", "8")
    message = str(refus.value)
    assert "« avec 8 points » est impossible" in message and "(R2)" in message
    assert "avec 8 points au JJ/MM/AAAA" in message
    # nothing recorded: no licence with a silently substituted balance
    assert api.get(f"/api/v1/licences/{ctx.numero}").status_code == 404


def test_a_probationary_licence_with_6_points_or_fewer_is_honoured_r2(api):
    from tests.bdd.etapes_permis import permis_probatoire_avec_points

    ctx = Contexte(api=api)
    _step(permis_probatoire_avec_points)(ctx, "probatoire", "01/09/2025", "4")
    assert api.balance(ctx.numero, on="02/02/2026") == 4
