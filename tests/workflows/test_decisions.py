"""DMN decision tables (issue 15 item 1): business-rule tasks linked by camunda:decisionRef, the
hit policies, the restricted cells, and the problems told at deployment."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.workflows.dmn_support import OVERLAPPING, bpmn, dmn, files
from workflows import ProcessEngine, ScriptContext, WorkflowError, definitions
from workflows.decisions import (
    Column,
    DecisionError,
    apply_policy,
    bundle_problems,
    decision_problems,
)
from workflows.definitions import document_root

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


def run(table: str, points, ref: str = "priorite"):
    engine = ProcessEngine(lambda: NOW)
    r = engine.start(1, bpmn(ref), "p", ScriptContext(facts={"points": points}),
                     files=files(table))
    state = r.state_json()  # what the decision leaves is stored
    assert state
    return r


def decided(table: str, points) -> dict:
    r = run(table, points)
    return {k: v for k, v in r.workflow.data.items() if k == "priorite"}


# --- hit policies, through the engine -------------------------------------------------------

@pytest.mark.parametrize(("policy", "points", "expected"), [
    ("UNIQUE", 2, "basse"), ("UNIQUE", 20, "haute"),
    ("FIRST", 6, "haute"), ("FIRST", 2, "basse"),
    ("PRIORITY", 6, "haute"), ("PRIORITY", 2, "basse"),
    ("ANY", 2, "basse"), ("ANY", 20, "haute"),
    ("COLLECT", 6, ["haute", "basse"]), ("COLLECT", 2, ["basse"]),
])
def test_each_hit_policy_decides(policy, points, expected):
    table = dmn(OVERLAPPING, policy=policy, output_values='"haute","basse"')
    assert decided(table, points) == {"priorite": expected}


def test_priority_follows_the_order_of_the_output_values_not_the_rules():
    table = dmn(OVERLAPPING, policy="PRIORITY", output_values='"basse","haute"')
    assert decided(table, 6) == {"priorite": "basse"}


@pytest.mark.parametrize(("policy", "needle"), [
    ("UNIQUE", "plusieurs règles s'appliquent (1, 2) alors que la politique UNIQUE"),
    ("ANY", "les règles 1 et 2 s'appliquent avec des sorties différentes"),
])
def test_a_broken_policy_at_run_time_is_a_workflow_error_naming_the_task(policy, needle):
    with pytest.raises(WorkflowError) as err:
        run(dmn(OVERLAPPING, policy=policy), 6)
    assert needle in err.value.message and err.value.element_id == "r"


def test_any_accepts_matches_that_agree():
    table = dmn([([">= 4"], ['"haute"']), (["> 5"], ['"haute"'])], policy="ANY")
    assert decided(table, 6) == {"priorite": "haute"}


@pytest.mark.parametrize(("aggregation", "expected"), [
    ("SUM", 30), ("MIN", 10), ("MAX", 20), ("COUNT", 2), (None, [10, 20]),
])
def test_collect_aggregations(aggregation, expected):
    table = dmn([([">= 4"], ["10"]), (["> 5"], ["20"]), (["> 50"], ["40"])],
                policy="COLLECT", aggregation=aggregation)
    assert decided(table, 6) == {"priorite": expected}


def test_no_match_sets_every_output_to_none_and_is_traced():
    r = run(dmn([([">= 4"], ['"haute"'])]), 1)
    assert r.workflow.data["priorite"] is None
    (made,) = r.decisions
    assert made.rules == [] and made.outputs == {"priorite": None}


def test_the_decision_made_is_traced_with_its_inputs_rules_and_outputs():
    r = run(dmn(OVERLAPPING), 2)
    (made,) = r.decisions
    assert (made.decision_id, made.name, made.task_id) == ("priorite", "Priorité du dossier", "r")
    assert made.inputs == [("Points perdus", 2)]
    assert made.rules == [(2, "regle_2")]
    assert made.outputs == {"priorite": "basse"}


def test_a_later_gateway_reads_the_decision():
    table = dmn([(["> 5"], ['"haute"']), (["<= 5"], ['"basse"'])])
    assert decided(table, 9) == {"priorite": "haute"}


# --- the hit policies on their own (the project module, over the matched rules) ------------------

OUT = (Column("o", "Priorité", "priorite", ("haute", "moyenne", "basse")),)
values = st.sampled_from(["haute", "moyenne", "basse"])
matches = st.lists(values, max_size=6).map(
    lambda vs: [(i, {"priorite": v}) for i, v in enumerate(vs, 1)])


@given(matches)
def test_first_is_the_first_match_in_rule_order(matched):
    result, rules = apply_policy("FIRST", None, OUT, matched)
    if matched:
        assert rules == [1] and result == matched[0][1]
    else:
        assert rules == [] and result == {"priorite": None}


@given(matches)
def test_priority_is_the_highest_ranked_output(matched):
    result, rules = apply_policy("PRIORITY", None, OUT, matched)
    if matched:
        best = min(OUT[0].values.index(m[1]["priorite"]) for m in matched)
        assert result["priorite"] == OUT[0].values[best]
        assert matched[rules[0] - 1][1] == result  # the first rule giving it
        assert all(OUT[0].values.index(m[1]["priorite"]) > best for m in matched[:rules[0] - 1])


@given(matches)
def test_unique_is_an_error_exactly_when_more_than_one_rule_matches(matched):
    if len(matched) > 1:
        with pytest.raises(DecisionError):
            apply_policy("UNIQUE", None, OUT, matched)
    else:
        result, rules = apply_policy("UNIQUE", None, OUT, matched)
        assert rules == [i for i, _ in matched]


@given(matches)
def test_any_is_an_error_exactly_when_the_matches_disagree(matched):
    if len({m[1]["priorite"] for m in matched}) > 1:
        with pytest.raises(DecisionError):
            apply_policy("ANY", None, OUT, matched)
    else:
        result, _ = apply_policy("ANY", None, OUT, matched)
        assert result == {"priorite": matched[0][1]["priorite"] if matched else None}


@given(st.lists(st.integers(-1000, 1000), max_size=8))
def test_collect_aggregates_numbers(numbers):
    matched = [(i, {"n": v}) for i, v in enumerate(numbers, 1)]
    out = (Column("o", "N", "n"),)
    assert apply_policy("COLLECT", None, out, matched)[0] == {"n": numbers}
    assert apply_policy("COLLECT", "COUNT", out, matched)[0] == {"n": len(numbers)}
    assert apply_policy("COLLECT", "SUM", out, matched)[0] == {"n": sum(numbers) if numbers
                                                               else None}
    assert apply_policy("COLLECT", "MIN", out, matched)[0] == {"n": min(numbers, default=None)}
    assert apply_policy("COLLECT", "MAX", out, matched)[0] == {"n": max(numbers, default=None)}


def test_sum_of_texts_is_an_error():
    with pytest.raises(DecisionError, match="SUM de « n » demande des nombres"):
        apply_policy("COLLECT", "SUM", (Column("o", "N", "n"),), [(1, {"n": "a"})])


def test_priority_of_a_value_outside_the_order_is_an_error():
    with pytest.raises(DecisionError, match="outputValues"):
        apply_policy("PRIORITY", None, OUT,
                     [(1, {"priorite": "urgente"}), (2, {"priorite": "basse"})])


# --- the restricted environment -------------------------------------------------------------------

def problems_of(table: str, names=frozenset()) -> list[str]:
    return decision_problems("decisions/priorite.dmn", table, frozenset(names))[1]


@pytest.mark.parametrize("cell", [
    "__import__('os')",
    "().__class__.__mro__[1].__subclasses__()",
    "open('/etc/passwd')",
])
def test_an_escaping_input_cell_is_refused_at_deployment(cell):
    found = problems_of(dmn([([cell], ['"haute"'])]))
    assert found and all("règle 1 (« regle_1 »), colonne « Points perdus »" in p for p in found)
    assert any("refusée" in p for p in found)


def test_an_escaping_output_cell_is_refused_at_deployment():
    found = problems_of(dmn([(["> 4"], ["__import__('os').getpid()"])]))
    assert any("règle 1 (« regle_1 »), colonne « Priorité »" in p and "_" in p for p in found)


def test_an_escaping_cell_is_refused_at_run_time_too():
    """A version deployed without the check (or a changed check) still runs cells restricted."""
    with pytest.raises(WorkflowError) as err:
        run(dmn([(["().__class__"], ['"haute"'])]), 3)
    assert "refusé" in err.value.message


def test_a_slow_cell_is_stopped():
    slow = "len([x for x in range(10000) for y in range(10000)]) > 0"
    table = dmn([([f"? > 0 and {slow}"], ['"haute"'])])
    assert problems_of(table) == []  # nothing to see statically: its bound stops it
    with pytest.raises(WorkflowError) as err:
        run(table, 3)
    assert err.value.message.startswith("limite dépassée")


def test_an_unknown_variable_is_refused_naming_the_column():
    table = dmn([(["> 4"], ['"haute"'])], inputs=(("Âge", "age_conducteur"),))
    found = problems_of(table)
    assert any("colonne d'entrée « Âge »" in p and "nom inconnu « age_conducteur »" in p
               for p in found)
    assert problems_of(table, {"age_conducteur"}) == []


@pytest.mark.parametrize("language", ["feel", "https://www.omg.org/spec/DMN/20191111/FEEL/",
                                      "juel"])
def test_a_cell_language_other_than_python_is_refused(language):
    found = problems_of(dmn([(["> 4"], ['"haute"'])], language=language))
    assert any(f"langage d'expression « {language} » refusé" in p and "Python" in p
               for p in found)


def test_python_language_is_accepted():
    assert problems_of(dmn([(["> 4"], ['"haute"'])], language="python")) == []


# --- column types (typeRef) and output names: what SpiffWorkflow would take and ignore -----------

def typed(input_type: str | None = None, output_type: str | None = None,
          rules=None, **kwargs) -> str:
    """A table whose first input and output declare these typeRefs."""
    text = dmn(rules or [(["> 4"], ['"haute"'])], **kwargs)
    if input_type is not None:
        text = text.replace('<inputExpression id="ie1"',
                            f'<inputExpression id="ie1" typeRef="{input_type}"')
    if output_type is not None:
        text = text.replace('<output id="out1"', f'<output id="out1" typeRef="{output_type}"')
    return text


@pytest.mark.parametrize("type_ref", ["date", "dateTime", "time", "dayTimeDuration",
                                      "yearMonthDuration", "feel:string", "String",
                                      "simon.1.simon.input_vacation"])
def test_a_type_ref_the_engine_cannot_honour_is_refused_naming_the_table_and_column(type_ref):
    """A QA finding: SpiffWorkflow 3.2.0 reads typeRef and never uses it (cells are Python,
    nothing is converted), so a FEEL date or an itemDefinition passed and misled at run time."""
    found = problems_of(typed(input_type=type_ref))
    assert found == [f"table de décision « Priorité du dossier » (priorite, decisions/priorite.dmn)"
                     f" : colonne d'entrée « Points perdus » : type « {type_ref} » (typeRef) non "
                     "pris en charge : les cellules sont des expressions Python, rien n'est "
                     "converti ; choisissez string, boolean, number, integer, long, double, Any "
                     "(les dates, heures et durées FEEL ne sont pas prises en charge : écrivez "
                     "une date ISO en texte, une durée en nombre de jours)"]
    (on_output,) = problems_of(typed(output_type=type_ref))
    assert "colonne de sortie « Priorité » : type « " + type_ref in on_output


@pytest.mark.parametrize(("input_type", "output_type"), [
    ("number", "string"), ("integer", "Any"), ("double", ""), ("long", None), (None, "string")])
def test_the_type_refs_python_cells_honour_are_accepted(input_type, output_type):
    assert problems_of(typed(input_type, output_type)) == []


@pytest.mark.parametrize(("input_type", "output_type", "rules", "needle"), [
    ("number", "string", [(["> 4"], ["3"])],
     "règle 1 (« regle_1 »), colonne « Priorité » : valeur « 3 » de type nombre entier dans "
     "une colonne de type « string »"),
    ("number", "integer", [(["> 4"], ["True"])], "valeur « True » de type booléen"),
    ("number", "integer", [(["> 4"], ["2.5"])], "de type nombre décimal dans une colonne de "
                                                  "type « integer »"),
    ("boolean", "string", [(['"oui"'], ['"haute"'])],
     "colonne « Points perdus » : valeur « \"oui\" » de type texte dans une colonne de type "
     "« boolean »"),
])
def test_a_literal_cell_of_another_type_than_its_column_is_refused(input_type, output_type,
                                                                   rules, needle):
    found = problems_of(typed(input_type, output_type, rules))
    assert any(needle in p for p in found), found


@pytest.mark.parametrize(("name", "why"), [
    ("class", "c'est un mot réservé de Python"), ("None", "c'est un mot réservé de Python"),
    ("dossier", "déjà pris par l'environnement des scripts"),
    ("len", "déjà pris par l'environnement des scripts"),
    ("priorité", "identifiant Python sans accent"), ("2e_choix", "identifiant Python"),
    ("taux-remise", "identifiant Python"), ("_cache", "ne commençant pas par « _ »"),
])
def test_an_output_name_scripts_cannot_read_is_refused_naming_the_table_and_column(name, why):
    """A QA finding: an output named like a Python keyword (`class`) passed validation, and no
    BPMN script or condition could read it."""
    found = problems_of(dmn([(["> 4"], ['"haute"'])], outputs=(("Priorité", name),)))
    assert any(p.startswith("table de décision « Priorité du dossier » (priorite, ")
               and f"colonne de sortie « Priorité » : nom de variable « {name} » invalide" in p
               and why in p and "renommez la sortie" in p for p in found), found


def test_a_soft_keyword_output_is_a_readable_name():
    """`match` and `case` are keywords only inside a match statement: `match = 1` is Python."""
    assert not problems_of(dmn([(["> 4"], ['"haute"'])], outputs=(("Priorité", "match"),)))


def test_a_keyword_output_is_not_offered_to_the_conditions_after_the_table():
    from workflows.decisions import output_names
    assert output_names(files(dmn(OVERLAPPING, outputs=(("P", "class"),)))) == frozenset()
    assert output_names(files(dmn(OVERLAPPING))) == {"priorite"}


# --- problems at deployment: each names the table, the rule and the column ----------------------

def test_a_problem_names_the_table_the_rule_and_the_column():
    (problem,) = problems_of(dmn([(["> 4"], ['"haute"']), (["[1..3]"], ['"basse"'])]))
    assert problem.startswith("table de décision « Priorité du dossier » (priorite, "
                              "decisions/priorite.dmn) : règle 2 (« regle_2 »), colonne "
                              "« Points perdus » : cellule « [1..3] » refusée")


@pytest.mark.parametrize(("kwargs", "needle"), [
    ({"policy": "RULE ORDER"}, "politique de résultat inconnue « RULE ORDER »"),
    ({"policy": "COLLECT", "aggregation": "AVG"}, "agrégation inconnue « AVG »"),
    ({"policy": "FIRST", "aggregation": "SUM"}, "ne va qu'avec la politique COLLECT"),
    ({"policy": "PRIORITY"}, "la politique PRIORITY demande l'ordre des valeurs"),
])
def test_unknown_policy_or_aggregation_is_refused(kwargs, needle):
    found = problems_of(dmn([(["> 4"], ['"haute"'])], **kwargs))
    assert any(needle in p for p in found), found


def test_obviously_overlapping_literal_rules_are_refused_under_unique():
    found = problems_of(dmn([(["> 4"], ['"haute"']), (["> 4"], ['"basse"'])]))
    assert any("règle 1 (« regle_1 ») et règle 2 (« regle_2 »)" in p and "UNIQUE" in p
               for p in found)
    assert problems_of(dmn([(["> 4"], ['"haute"']), (["> 4"], ['"basse"'])],
                           policy="FIRST")) == []


def test_a_file_named_after_another_decision_is_refused():
    found = decision_problems("decisions/autre.dmn", dmn(OVERLAPPING), frozenset())[1]
    assert any("doit être decisions/priorite.dmn" in p for p in found)


@pytest.mark.parametrize("text", ["pas du xml", "<definitions/>", "<!DOCTYPE x><x/>"])
def test_an_unreadable_file_is_refused(text):
    (problem,) = problems_of(text)
    assert problem.startswith("table de décision decisions/priorite.dmn : ")


def test_a_decision_ref_naming_no_decision_is_refused_naming_the_task():
    found = definitions.validate(bpmn("inconnue"), "p", frozenset(), files(dmn(OVERLAPPING)))
    assert [(p.element_id, p.message) for p in found] == [
        ("r", "table de décision introuvable : « inconnue » (camunda:decisionRef) ; joignez le "
              "fichier decisions/inconnue.dmn")]


def test_a_business_rule_task_without_a_decision_ref_is_refused():
    (found,) = definitions.validate(bpmn(None), "p", frozenset(), {})
    assert found.element_id == "r" and "camunda:decisionRef" in found.message


def test_a_decision_no_task_uses_is_refused():
    other = dmn(OVERLAPPING, decision_id="autre")
    found = bundle_problems(document_root(bpmn()), {**files(dmn(OVERLAPPING, policy="FIRST")),
                                                    **files(other, "autre")}, frozenset())
    assert found == [("decisions/autre.dmn",
                      "table de décision « Priorité du dossier » (autre, decisions/autre.dmn) "
                      "utilisée par aucune tâche de règle métier (camunda:decisionRef)")]


def test_a_valid_bundle_has_no_problem():
    table = dmn(OVERLAPPING, policy="FIRST")
    assert definitions.validate(bpmn(), "p", frozenset(), files(table)) == []
    assert bundle_problems(document_root(bpmn()), files(table), frozenset()) == []


# --- the version diff ---------------------------------------------------------------------------

def test_a_changed_cell_shows_in_the_version_diff_on_its_task():
    from workflows.diff import diff_bundles

    old = dmn(OVERLAPPING, policy="FIRST")
    new = dmn([([">= 4"], ['"haute"']), (["0 < ? < 8"], ['"basse"'])], policy="FIRST")
    diff = diff_bundles(bpmn(), files(old), bpmn(), files(new))
    (task,) = diff.changed
    assert task.id == "r"
    assert [(c.what, c.before, c.after) for c in task.changes] == [
        ("table de décision", "règle 2 (regle_2) : Points perdus 0 < ? < 10 → priorite = \"basse\"",
         "règle 2 (regle_2) : Points perdus 0 < ? < 8 → priorite = \"basse\"")]
    assert diff_bundles(bpmn(), files(old), bpmn(), files(old)).empty


# --- migration safety -----------------------------------------------------------------------------

WAIT = ('<bpmn:userTask id="apres" name="Après"/>'
        '<bpmn:sequenceFlow id="f3" sourceRef="apres" targetRef="e"/>')


def waiting_bpmn() -> bytes:
    xml = bpmn().decode().replace('<bpmn:sequenceFlow id="f2" sourceRef="r" targetRef="e"/>',
                                  '<bpmn:sequenceFlow id="f2" sourceRef="r" targetRef="apres"/>'
                                  + WAIT)
    return xml.encode()


def test_a_case_past_its_decision_cannot_move_to_a_version_whose_table_changed():
    from workflows.migration import Definition, check

    old = files(dmn(OVERLAPPING, policy="FIRST"))
    new = files(dmn([([">= 4"], ['"haute"']), (["0 < ? < 8"], ['"basse"'])], policy="FIRST"))
    engine = ProcessEngine(lambda: NOW)
    context = ScriptContext(facts={"points": 2})
    run_ = engine.start(1, waiting_bpmn(), "p", context, files=old)
    assert [t.key for t in run_.open_tasks()] == ["apres"]
    current = Definition(1, waiting_bpmn(), "p", old)
    assert check(engine, current, Definition(2, waiting_bpmn(), "p", old), run_.state_json(),
                 context.facts) == []
    reasons = check(engine, current, Definition(3, waiting_bpmn(), "p", new), run_.state_json(),
                    context.facts)
    assert reasons == ["l'étape « Priorité » (r), déjà passée, est modifiée"]


# --- the engine's own refusal of a table's element names it (QA finding) ------------------------

def test_an_output_cell_the_engine_refuses_is_told_on_the_task_with_its_table_rule_and_column():
    """Was « élément refusé par le moteur BPMN (outputEntry) » on `r1o0`, an id of the DMN file
    that is nowhere on the diagram."""
    table = dmn([(["> 4"], ['"haute"']), (["<= 4"], ["a b"])], policy="FIRST")
    found = definitions.validate(bpmn(), "p", frozenset(), files(table))
    assert [(p.element_id, p.message) for p in found] == [
        ("r", "table de décision « Priorité du dossier » (priorite, decisions/priorite.dmn), "
              "règle 2 (« regle_2 »), colonne « Priorité » : cellule de sortie mal formée : "
              'écrivez une expression Python (par exemple "haute", 3 ou True)')]
