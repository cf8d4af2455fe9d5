"""Small bundles with one business-rule task and its DMN table, for the DMN tests."""

from __future__ import annotations

from xml.sax.saxutils import escape

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="r"/>
    <bpmn:businessRuleTask id="r" name="Priorité" REF/>
    <bpmn:sequenceFlow id="f2" sourceRef="r" targetRef="e"/>
    <bpmn:endEvent id="e"/>
  </bpmn:process>
</bpmn:definitions>"""


def bpmn(ref: str | None = "priorite") -> bytes:
    attr = f'camunda:decisionRef="{ref}"' if ref is not None else ""
    return BPMN.replace("REF", attr).encode()


def dmn(rules: list[tuple[list[str], list[str]]], *, policy: str = "UNIQUE",
        aggregation: str | None = None,
        inputs: tuple[tuple[str, str], ...] = (("Points perdus", 'dossier["points"]'),),
        outputs: tuple[tuple[str, str], ...] = (("Priorité", "priorite"),),
        output_values: str | None = None, decision_id: str = "priorite",
        language: str | None = None) -> str:
    """A DMN 1.3 document with one decision table."""
    agg = f' aggregation="{aggregation}"' if aggregation else ""
    lang = f' expressionLanguage="{language}"' if language else ""
    cols = "".join(
        f'<input id="in{i}" label="{escape(label)}"><inputExpression id="ie{i}">'
        f"<text>{escape(expr)}</text></inputExpression></input>"
        for i, (label, expr) in enumerate(inputs, 1))
    values = (f"<outputValues><text>{escape(output_values)}</text></outputValues>"
              if output_values else "")
    cols += "".join(f'<output id="out{i}" label="{escape(label)}" name="{name}">{values}</output>'
                    for i, (label, name) in enumerate(outputs, 1))
    body = ""
    for n, (ins, outs) in enumerate(rules, 1):
        cells = "".join(f'<inputEntry id="r{n}i{k}"><text>{escape(c)}</text></inputEntry>'
                        for k, c in enumerate(ins))
        cells += "".join(f'<outputEntry id="r{n}o{k}"><text>{escape(c)}</text></outputEntry>'
                         for k, c in enumerate(outs))
        body += f'<rule id="regle_{n}">{cells}</rule>'
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions '
            f'xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs" name="d" '
            f'namespace="x"{lang}><decision id="{decision_id}" name="Priorité du dossier">'
            f'<decisionTable id="t" hitPolicy="{policy}"{agg}>{cols}{body}</decisionTable>'
            "</decision></definitions>")


# Points lost 6: rules 1 and 2 both apply; 2: rule 2 only; 20: rule 1 only
OVERLAPPING = [([">= 4"], ['"haute"']), (["0 < ? < 10"], ['"basse"'])]


def files(text: str, decision_id: str = "priorite") -> dict[str, str]:
    return {f"decisions/{decision_id}.dmn": text}
