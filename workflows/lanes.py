"""Lanes are clerk groups (issue 14, docs/process-bundle.md): a user task in a lane is offered
to the clerks of the group the lane names, with its extension property `groupe`:

    <bpmn:lane id="l1" name="Accueil">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="groupe" value="accueil"/>
      </camunda:properties></bpmn:extensionElements>
      <bpmn:flowNodeRef>appel_conducteur</bpmn:flowNodeRef>
    </bpmn:lane>

A task's group is that of the innermost lane holding it that names one (nested lanes:
`childLaneSet`); a task in no such lane of its own (sub-)process takes the group of a lane of
an enclosing process that names the task itself (a lane drawn at the process's level may list
a task inside an embedded sub-process: the designer's intent is plain), else the group of the
sub-process holding it, if any; otherwise it has none and is open to every agent. A lane
without `groupe` names no group; a lane listing an element the document does not have is a
problem (a typo would otherwise leave the task open to every agent). Read from the document
parsed by the hardened parser (definitions.py), never from the network or a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from SpiffWorkflow.bpmn.parser.util import BPMN_MODEL_NS

from .clerk_view import properties

GROUP_PROPERTY = "groupe"
# A group code: a short slug (the `groups.code` column holds 40 characters).
GROUP_CODE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
GROUP_CODE_RULE = ("40 caractères au plus : lettres minuscules sans accent, chiffres, « _ » ou "
                   "« - », en commençant par une lettre")

_B = f"{{{BPMN_MODEL_NS}}}"
_SCOPES = {_B + "process", _B + "subProcess", _B + "transaction", _B + "adHocSubProcess"}
_USER_TASK = _B + "userTask"


@dataclass(frozen=True)
class Lane:
    id: str | None
    name: str
    line: int | None
    group: str | None  # the raw `groupe` value (stripped), None when the lane names none
    kind: str = "le couloir"  # or "la relance": a reminder that hands its task to a group


def lane_group_value(lane) -> str | None:
    """The `groupe` extension property of a lane (or reminder) element, stripped; None if absent."""
    return properties(lane).get(GROUP_PROPERTY, "").strip() or None


def lanes(root) -> list[Lane]:
    """Every lane of the document, in document order, then every reminder (a boundary timer,
    workflows/clerk_view.py) whose `groupe` hands its task to a group when it fires."""
    found = [Lane(el.get("id"), (el.get("name") or "").strip() or el.get("id") or "",
                  el.sourceline, lane_group_value(el))
             for el in root.iter(_B + "lane")]
    for el in root.iter(_B + "boundaryEvent"):
        group = lane_group_value(el)
        if group is not None:
            found.append(Lane(el.get("id"), (el.get("name") or "").strip() or el.get("id") or "",
                              el.sourceline, group, "la relance"))
    return found


def _scope_groups(scope, inherited: str | None, out: dict[str, str | None],
                  named_outside: dict[str, str] | None = None) -> None:
    """Fill `out` with the group of each user task of `scope` (a process or sub-process) and
    of the sub-processes it holds; `inherited` is the group of the sub-process itself,
    `named_outside` the groups that lanes of the enclosing scopes give to nodes by their id."""
    of_node: dict[str, str] = {}  # only lanes naming a group

    def walk(lane_set, outer: str | None) -> None:
        for lane in lane_set.iterfind(_B + "lane"):
            value = lane_group_value(lane)
            group = value if value and GROUP_CODE.match(value) else outer
            for ref in lane.iterfind(_B + "flowNodeRef"):
                node = (ref.text or "").strip()
                if node and group is not None:
                    of_node[node] = group  # a nested lane comes later: innermost wins
            for child in lane.iterfind(_B + "childLaneSet"):
                walk(child, group)

    for lane_set in scope.iterfind(_B + "laneSet"):
        walk(lane_set, None)
    named = {**(named_outside or {}), **of_node}  # this scope's lanes win over outer ones
    for el in scope:
        if not isinstance(el.tag, str):
            continue
        node = el.get("id") or ""
        own = named.get(node, inherited)
        if el.tag == _USER_TASK and node:
            out[node] = own
        elif el.tag in _SCOPES:
            _scope_groups(el, own, out, named)


def task_groups(root) -> dict[str, str | None]:
    """User task id → the code of the group it is offered to, or None (every agent), for
    every process of the document."""
    out: dict[str, str | None] = {}
    for process in root.iterfind(_B + "process"):
        _scope_groups(process, None, out)
    return out


def lane_problems(root) -> list[tuple[str | None, int | None, str]]:
    """(lane id, line, French message) for each lane whose `groupe` is not a group code, and
    each lane element listing an element the document does not have."""
    problems = []
    for lane in lanes(root):
        if lane.group is not None and not GROUP_CODE.match(lane.group):
            problems.append((lane.id, lane.line,
                             f"{lane.kind} « {lane.name[:80]} » nomme le groupe "
                             f"« {lane.group[:80]} », qui n'est pas un code de groupe "
                             f"({GROUP_CODE_RULE})"))
    ids = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    for el in root.iter(_B + "lane"):
        name = (el.get("name") or "").strip() or el.get("id") or ""
        for ref in el.iterfind(_B + "flowNodeRef"):
            node = (ref.text or "").strip()
            if node and node not in ids:
                problems.append((el.get("id"), ref.sourceline,
                                 f"le couloir « {name[:80]} » désigne l'élément « {node[:80]} », "
                                 "absent du diagramme"))
    return problems


def named_groups(root) -> list[Lane]:
    """The lanes that name a (well-formed) group code."""
    return [lane for lane in lanes(root) if lane.group and GROUP_CODE.match(lane.group)]
