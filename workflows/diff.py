"""A readable diff between two BPMN definitions: elements added, removed and changed.

Pure (bytes in, dataclasses out) and layout-blind: diagram interchange (BPMNDI shapes, edges,
coordinates) is ignored, and so are the order of elements and the whitespace around texts. An
element is anything with an ``id`` that sits directly in a process, a sub-process, a
collaboration, a lane set or the definitions; its parts (event definitions, loop
characteristics, extension elements...) belong to it. Each change says ``what`` changed, in the
French words the designers' UI shows as is: ``nom``, ``script``, ``condition``, ``minuterie``,
``documentation``, ``flux``, ``attributs``, and ``formulaire`` (a field of a user task's
form added, removed or changed: ``diff_bundles``).

An attribute left out means its BPMN 2.0 default (bpmn-js drops ``cancelActivity="true"`` and
the like when it saves): an attribute equal to its default, as the XSD declares it, counts as
left out, and a real change shows the default on the side that leaves it out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import XSD_PATH

from .definitions import BPMN_NS, CONTAINER_TAGS, SPIFF_NS, document_root, hardened_parser

_B = f"{{{BPMN_NS}}}"
_S = f"{{{SPIFF_NS}}}"
_FLOW_TAGS = {_B + "sequenceFlow", _B + "messageFlow", _B + "association",
              _B + "dataInputAssociation", _B + "dataOutputAssociation"}
_TIMER_TAGS = {_B + "timeDate": "timeDate", _B + "timeDuration": "timeDuration",
               _B + "timeCycle": "timeCycle"}
_CONDITION_TAGS = {_B + "conditionExpression", _B + "completionCondition",
                   _B + "loopCondition"}
_SCRIPT_TAGS = {_B + "script": "", _S + "preScript": "[avant] ", _S + "postScript": "[après] "}
# Facets carried by dedicated `what` words, or derived from the flows: not "attributs".
_OWN_FACETS = {_B + "documentation", _B + "incoming", _B + "outgoing",
               *_TIMER_TAGS, *_CONDITION_TAGS, *_SCRIPT_TAGS}
_SKIPPED_ATTRIBUTES = {"id", "name", "sourceRef", "targetRef"}
WHATS = ("nom", "documentation", "script", "condition", "minuterie", "flux", "attributs")
FORM_WHAT = "formulaire"  # diff_bundles: a field of a user task's form
LETTER_WHAT = "courrier"  # diff_bundles: a line of a letter template (`courriers/<id>.html`)
LETTER_TYPE = "courrier"  # the `type` of a letter template in a diff (its id is its path)
MAX_LETTER_LINES = 20  # changed lines told per template


@dataclass(frozen=True)
class ElementRef:
    id: str
    type: str
    name: str | None


@dataclass(frozen=True)
class Change:
    what: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class ChangedElement:
    id: str
    type: str
    name: str | None
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class DefinitionDiff:
    added: tuple[ElementRef, ...] = field(default_factory=tuple)
    removed: tuple[ElementRef, ...] = field(default_factory=tuple)
    changed: tuple[ChangedElement, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _local(tag: str) -> str:
    return etree.QName(tag).localname


_XSD = "{http://www.w3.org/2001/XMLSchema}"


@functools.cache
def _attribute_defaults() -> dict[str, dict[str, str]]:
    """BPMN element name → {attribute: default}, as the BPMN 2.0 XSD that SpiffWorkflow ships
    declares them (Semantic.xsd), inherited along the type extensions (tBoundaryEvent extends
    tCatchEvent, which brings parallelMultiple=false...)."""
    schema = etree.parse(str(Path(XSD_PATH).with_name("Semantic.xsd")), hardened_parser())
    own: dict[str, dict[str, str]] = {}
    base: dict[str, str] = {}
    for ctype in schema.getroot().iterfind(_XSD + "complexType"):
        extension = ctype.find(f"{_XSD}complexContent/{_XSD}extension")
        holder = extension if extension is not None else ctype
        own[ctype.get("name")] = {a.get("name"): a.get("default")
                                  for a in holder.iterfind(_XSD + "attribute")
                                  if a.get("default") is not None}
        if extension is not None:
            base[ctype.get("name")] = extension.get("base")

    def inherited(type_name: str | None) -> dict[str, str]:
        if type_name not in own:
            return {}
        return {**inherited(base.get(type_name)), **own[type_name]}

    elements = {e.get("name"): e.get("type") for e in schema.getroot().iter(_XSD + "element")
                if e.get("name") and e.get("type")}
    return {name: defaults for name, type_name in elements.items()
            if (defaults := inherited(type_name))}


def _defaults(el) -> dict[str, str]:
    return _attribute_defaults().get(_local(el.tag), {}) if el.tag.startswith(_B) else {}


def _attributes(el) -> dict[str, str]:
    """The element's attributes by local name, those equal to their BPMN default left out (the
    defaults are those of unqualified attributes: a namespaced one never matches)."""
    defaults = _defaults(el)
    return {_local(k): v for k, v in el.attrib.items() if defaults.get(k) != v}


def _text(el) -> str:
    return "\n".join(line.rstrip() for line in (el.text or "").strip().splitlines())


def _tracked(root) -> dict[str, etree._Element]:
    """id → element for every BPMN element that stands on its own."""
    out: dict[str, etree._Element] = {}
    for el in root.iter():
        if not isinstance(el.tag, str) or not el.tag.startswith(_B):
            continue
        parent = el.getparent()
        if el.get("id") and parent is not None and parent.tag in CONTAINER_TAGS:
            out.setdefault(el.get("id"), el)
    return out


def _own_parts(el, tracked_ids: set[str]):
    """The descendants that belong to `el` (not to a nested tracked element), DI excluded."""
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.get("id") in tracked_ids and el.tag in CONTAINER_TAGS:
            continue
        yield child
        yield from _own_parts(child, tracked_ids) if child.tag not in CONTAINER_TAGS else ()


def _canonical(el, tracked_ids: set[str]) -> str:
    """A stable one-line text of an element part: tag, sorted attributes, text, children."""
    attrs = " ".join(f"{k}={v}" for k, v in sorted(_attributes(el).items()))
    text = _text(el)
    children = [_canonical(c, tracked_ids) for c in el if isinstance(c.tag, str)
                and c.tag not in _OWN_FACETS and c.get("id") not in tracked_ids]
    inner = " ".join(x for x in (attrs, repr(text) if text else "", *children) if x)
    return f"{_local(el.tag)}({inner})" if inner else _local(el.tag)


def _flows_by_node(root) -> dict[str, tuple[list[str], list[str]]]:
    nodes: dict[str, tuple[list[str], list[str]]] = {}
    for flow in root.iter(_B + "sequenceFlow"):
        fid = flow.get("id") or "?"
        nodes.setdefault(flow.get("sourceRef") or "", ([], []))[1].append(fid)
        nodes.setdefault(flow.get("targetRef") or "", ([], []))[0].append(fid)
    return nodes


def _facets(el, tracked_ids: set[str], flows) -> dict[str, object]:
    parts = list(_own_parts(el, tracked_ids))
    documentation = "\n".join(_text(d) for d in el if isinstance(d.tag, str)
                              and d.tag == _B + "documentation").strip()
    scripts = "\n".join(f"{_SCRIPT_TAGS[p.tag]}{_text(p)}" for p in parts
                        if p.tag in _SCRIPT_TAGS).strip()
    conditions = "\n".join(_text(p) for p in parts if p.tag in _CONDITION_TAGS).strip()
    timers = "\n".join(f"{_TIMER_TAGS[p.tag]} : {_text(p)}" for p in parts
                       if p.tag in _TIMER_TAGS).strip()
    if el.tag in _FLOW_TAGS:
        flux = f"{el.get('sourceRef') or '?'} → {el.get('targetRef') or '?'}"
    elif el.get("id") in flows:
        ins, outs = (", ".join(sorted(ids)) or "—" for ids in flows[el.get("id")])
        flux = f"entrées : {ins} ; sorties : {outs}"
    else:
        flux = ""
    values = {k: v for k, v in _attributes(el).items() if k not in _SKIPPED_ATTRIBUTES}
    others = set()
    parent = el.getparent()
    if parent is not None and parent.tag != _B + "definitions":
        others.add(f"dans={parent.get('id') or _local(parent.tag)}")
    for p in el:
        if isinstance(p.tag, str) and p.tag not in _OWN_FACETS and p.get("id") not in tracked_ids:
            others.add(_canonical(p, tracked_ids))
    return {"type": _local(el.tag), "nom": el.get("name") or "", "documentation": documentation,
            "script": scripts, "condition": conditions, "minuterie": timers, "flux": flux,
            "attributs": (values, _defaults(el), others)}


def _or_none(text: str) -> str | None:
    return text or None


def _attribute_changes(old, new) -> tuple[list[str], list[str]]:
    """(before, after) of the attributes and parts that differ; an attribute left out on one
    side is shown there with its BPMN default, if it has one."""
    (old_values, old_defaults, old_others), (new_values, new_defaults, new_others) = old, new
    before, after = [], []
    for name in sorted(old_values.keys() | new_values.keys()):
        was = old_values.get(name, old_defaults.get(name))
        now = new_values.get(name, new_defaults.get(name))
        if was != now:
            before += [f"@{name}={was}"] if was is not None else []
            after += [f"@{name}={now}"] if now is not None else []
    return (before + sorted(old_others - new_others), after + sorted(new_others - old_others))


def _compare(old: dict, new: dict) -> tuple[Change, ...]:
    changes = []
    if old["type"] != new["type"]:
        changes.append(Change("attributs", f"type={old['type']}", f"type={new['type']}"))
    for what in WHATS:
        if what == "attributs":
            gone, came = _attribute_changes(old[what], new[what])
            if gone or came:
                changes.append(Change(what, _or_none(" ; ".join(gone)),
                                      _or_none(" ; ".join(came))))
        elif old[what] != new[what]:
            changes.append(Change(what, _or_none(old[what]), _or_none(new[what])))
    return tuple(changes)


def diff_definitions(old_xml: bytes | None, new_xml: bytes) -> DefinitionDiff:
    """What changed from `old_xml` (None: nothing, every element is added) to `new_xml`.
    Raises DefinitionError (French) when either is not safe, well-formed BPMN XML."""
    new_root = document_root(new_xml)
    old_root = document_root(old_xml) if old_xml is not None else etree.Element(
        _B + "definitions")
    old, new = _tracked(old_root), _tracked(new_root)
    old_ids, new_ids = set(old), set(new)
    old_flows, new_flows = _flows_by_node(old_root), _flows_by_node(new_root)

    def ref(el) -> ElementRef:
        return ElementRef(el.get("id"), _local(el.tag), el.get("name"))

    added = tuple(ref(el) for i, el in new.items() if i not in old)
    removed = tuple(ref(el) for i, el in old.items() if i not in new)
    changed = []
    for i, el in new.items():
        if i in old:
            changes = _compare(_facets(old[i], old_ids, old_flows),
                               _facets(el, new_ids, new_flows))
            if changes:
                changed.append(ChangedElement(i, _local(el.tag), el.get("name")
                                              or old[i].get("name"), changes))
    return DefinitionDiff(added, removed, tuple(changed))


def _task_forms(xml: bytes | None, files: dict | None) -> dict[str, object]:
    from .forms import form_refs, parse_forms

    if xml is None:
        return {}
    forms, _ = parse_forms(files or {})
    return {task: forms.get(ref) for task, ref in form_refs(document_root(xml)).items() if ref}


def diff_bundles(old_xml: bytes | None, old_files: dict | None, new_xml: bytes,
                 new_files: dict | None) -> DefinitionDiff:
    """diff_definitions, plus a change ``formulaire`` on each user task (present in both) whose
    form's fields changed: one per field added, removed or changed (label, type, required,
    bounds, values), ``before``/``after`` describing the field in French."""
    from .forms import form_changes

    base = diff_definitions(old_xml, new_xml)
    old_forms, new_forms = _task_forms(old_xml, old_files), _task_forms(new_xml, new_files)
    if old_xml is None:
        added, _, _ = _letter_changes(None, new_files)
        return DefinitionDiff(base.added + added, base.removed, base.changed)
    new_root = document_root(new_xml)
    changed = {c.id: c for c in base.changed}
    for task in sorted(set(old_forms) | set(new_forms)):
        extra = tuple(Change(FORM_WHAT, f"{key} : {before}" if before else None,
                             f"{key} : {after}" if after else None)
                      for key, before, after in form_changes(old_forms.get(task),
                                                             new_forms.get(task)))
        if not extra or task in {a.id for a in base.added}:
            continue
        if task in changed:
            c = changed[task]
            changed[task] = ChangedElement(c.id, c.type, c.name, c.changes + extra)
        else:
            found = new_root.xpath("//*[@id=$i]", i=task)
            if not found:
                continue
            changed[task] = ChangedElement(task, _local(found[0].tag), found[0].get("name"),
                                           extra)
    _add_table_changes(changed, base, old_xml, old_files, new_root, new_files)
    added, removed, letters = _letter_changes(old_files, new_files)
    return DefinitionDiff(base.added + added, base.removed + removed,
                          tuple(changed.values()) + letters)


def _letters(files: dict | None) -> dict[str, str]:
    return {str(p): t for p, t in (files or {}).items() if isinstance(t, str)
            and str(p).startswith("courriers/") and str(p).endswith(".html")}


def _letter_changes(old_files, new_files):
    """The letter templates added, removed, and changed (one change per changed line)."""
    import difflib

    old, new = _letters(old_files), _letters(new_files)
    added = tuple(ElementRef(p, LETTER_TYPE, None) for p in sorted(set(new) - set(old)))
    removed = tuple(ElementRef(p, LETTER_TYPE, None) for p in sorted(set(old) - set(new)))
    changed = []
    for path in sorted(set(old) & set(new)):
        if old[path] == new[path]:
            continue
        a, b = old[path].splitlines(), new[path].splitlines()
        lines = []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
            if tag == "equal":
                continue
            before = "\n".join(a[i1:i2])[:300] or None
            after = "\n".join(b[j1:j2])[:300] or None
            lines.append(Change(LETTER_WHAT, f"ligne {i1 + 1} : {before}" if before else None,
                                f"ligne {j1 + 1} : {after}" if after else None))
        changed.append(ChangedElement(path, LETTER_TYPE, None, tuple(lines[:MAX_LETTER_LINES])))
    return added, removed, tuple(changed)


def _add_table_changes(changed: dict, base: DefinitionDiff, old_xml: bytes, old_files,
                       new_root, new_files) -> None:
    """A change ``table de décision`` on each business-rule task (present in both) whose
    decision table changed: one per rule, column set or hit policy (workflows/decisions.py)."""
    from .decisions import DIFF_WHAT, table_changes, task_tables

    try:
        old_tables = task_tables(document_root(old_xml), old_files)
    except Exception:  # noqa: BLE001 - an unreadable old version has no table to compare
        old_tables = {}
    new_tables = task_tables(new_root, new_files)
    added = {a.id for a in base.added}
    for task in sorted(set(old_tables) | set(new_tables)):
        if task in added:
            continue
        extra = tuple(Change(DIFF_WHAT, before, after) for before, after in
                      table_changes(old_tables.get(task), new_tables.get(task)))
        if not extra:
            continue
        if task in changed:
            c = changed[task]
            changed[task] = ChangedElement(c.id, c.type, c.name, c.changes + extra)
        else:
            found = new_root.xpath("//*[@id=$i]", i=task)
            if found:
                changed[task] = ChangedElement(task, _local(found[0].tag), found[0].get("name"),
                                               extra)
