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


def test_a_form_table_without_its_value_column_is_said_in_french():
    """« l'agent complète la tâche « … » avec : » and a one-column table (or none): a French
    sentence, not « not enough values to unpack »; nothing is sent."""
    from tests.bdd.etapes_generiques import complete_avec

    with pytest.raises(AssertionError) as refus:
        _step(complete_avec)(Contexte(api=None), "Appeler le conducteur", [["champ"], ["joint"]])
    assert str(refus.value) == (
        "« l'agent complète la tâche « Appeler le conducteur » avec : » attend, sur les lignes "
        "qui suivent, un tableau à deux colonnes | champ | valeur | (le champ : sa clé dans le "
        "formulaire) ; une seule colonne dans « | joint | »")
    with pytest.raises(AssertionError, match="il n'y a pas de tableau"):
        _step(complete_avec)(Contexte(api=None), "Appeler le conducteur")


def test_a_number_field_written_in_words_is_said_in_french():
    from tests.bdd.etapes_generiques import _valeur

    schema = {"properties": {"montant": {"type": "number"}, "jours": {"type": "integer"}}}
    with pytest.raises(AssertionError) as refus:
        _valeur(schema, "montant", "cent trente-cinq")
    assert str(refus.value) == ("« cent trente-cinq » n'est pas un nombre : le champ « montant » "
                                "attend un nombre écrit en chiffres (par exemple 135 ou 2,5)")
    with pytest.raises(AssertionError, match="attend un nombre entier"):
        _valeur(schema, "jours", "2,5")
    assert _valeur(schema, "montant", "2,5") == 2.5 and _valeur(schema, "jours", "15") == 15


def test_a_retrait_is_found_in_the_record_by_the_points_withdrawn_r44(api):
    """« le relevé du permis contient un retrait de 3 points au … » (LISEZMOI.md): the relevé
    has −3 (API.md); the step used to look for +3 and could never pass."""
    from tests.bdd.etapes_permis import infraction, mouvement, permis_non_probatoire

    ctx = Contexte(api=api)
    _step(permis_non_probatoire)(ctx, "12", "01/01/2026")
    _step(infraction)(ctx, "3", None, "01/02/2026", "20/02/2026", None, None, None)
    _step(mouvement)(ctx, "un retrait", "3", "20/02/2026")
    with pytest.raises(AssertionError) as refus:
        _step(mouvement)(ctx, "un retrait", "3", "01/02/2026")
    assert str(refus.value).endswith("mouvements du relevé : un solde connu de 12 points au "
                                     "01/01/2010; un solde connu de 12 points au 01/01/2026; "
                                     "un retrait de 3 points au 20/02/2026")
