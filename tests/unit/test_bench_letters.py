"""bench/letters.py's variant of the shipped mandatory process: the same process without its
service and business-rule tasks, still a valid definition."""

from pathlib import Path

from bench.letters import without_letters_and_decisions
from workflows.definitions import validate

BPMN = Path(__file__).resolve().parents[2] / "bpmn" / "stage_obligatoire.bpmn"


def test_the_variant_has_no_service_or_business_rule_task_and_is_valid():
    shipped = BPMN.read_bytes()
    assert b"<bpmn:serviceTask" in shipped and b"<bpmn:businessRuleTask" in shipped
    variant = without_letters_and_decisions(shipped)
    assert b"serviceTask" not in variant and b"businessRuleTask" not in variant
    assert b"delai_relance" not in variant  # the reminder that read the table's result
    assert b'bpmnElement="courrier_procureur"' not in variant  # nor their shapes
    assert validate(variant, "stage_obligatoire") == []
    # the rest is kept: the credit, the refund decision, the referral
    for kept in (b'id="decider_remboursement"', b'id="enregistrer_signalement"',
                 b'id="signalement_parquet"', b'id="crediter_sans_examen"'):
        assert kept in variant
