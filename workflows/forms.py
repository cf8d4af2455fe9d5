"""Forms of a process bundle (docs/process-bundle.md): form-js JSON documents, linked from user
tasks by ``camunda:formRef``. Pure: text in, dataclasses and French problems out; never raises
on any input.

- ``parse_form(text, path)``: a ``Form`` or the problems of the file;
- ``bundle_problems(root, files)``: the bundle as a whole (a formRef naming no form, a form no
  task uses, the contract tasks' fields);
- ``json_schema(form, task_key, title)``: the JSON Schema (2020-12) of the data the task takes
  (API.md's task ``form``), with the contract's conditional rule for its decision tasks;
- ``form_changes(old, new)``: what changed between two versions of a form, in French.
"""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass, field

from .contract import (
    REVIEW_OBLIGATION,
    REVIEW_REFUND,
    TASK_EXAMEN_MANUEL,
    TASK_SIGNALEMENT_PARQUET,
    TASK_VERIFICATION_ATTESTATION,
)
from .definitions import BPMN_NS, DefinitionProblem
from .script_env import ALLOWED_GLOBAL_NAMES

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
FORM_REF = f"{{{CAMUNDA_NS}}}formRef"
_B = f"{{{BPMN_NS}}}"
FORM_SUFFIX = ".form"
FORMS_DIR = "forms"

MAX_FORM_BYTES = 64 * 1024  # one form document
MAX_FORMS = 100  # forms in one bundle
MAX_COMPONENTS = 100  # components in one form
MAX_PATTERN_CHARS = 200
MAX_TEXT_CHARS = 2000  # a text answer without a maxLength of its own
MAX_LABEL_CHARS = 500
MAX_VALUES = 200
MAX_BUTTON_CHARS = 80
# a choice field's custom properties (form-js `properties`) read by the clerks' page: which
# values ask for a confirmation, the warning shown then, the confirming button's label
PROP_CONFIRM, PROP_WARNING, PROP_BUTTON = "confirmer", "avertissement", "bouton_confirmer"

FIELD_TYPES = {
    "textfield": "texte",
    "textarea": "texte long",
    "number": "nombre",
    "datetime": "date",
    "select": "liste de choix",
    "radio": "boutons radio",
    "checkbox": "case à cocher",
    "text": "texte en lecture seule",
}
INPUT_TYPES = frozenset(FIELD_TYPES) - {"text"}
CHOICE_TYPES = frozenset({"select", "radio"})
STRING_TYPES = frozenset({"textfield", "textarea"})
# names of the engine and of the task completion's history event (services/tasks.py records the
# answers beside `task` and `title`)
RESERVED_KEYS = ALLOWED_GLOBAL_NAMES | {"data", "task", "title", "form", "message", "case",
                                        "actor", "type_", "true", "false", "none"}

# The contract's decision tasks: their form must carry `decision` with exactly these values and a
# text `motif`, required when the decision is the refusing one (API.md, services/tasks.py).
CONTRACT_DECISIONS: dict[str, tuple[tuple[str, ...], str]] = {
    TASK_VERIFICATION_ATTESTATION: (("valider", "refuser"), "refuser"),
    TASK_EXAMEN_MANUEL: (("crediter", "refuser"), "refuser"),
    TASK_SIGNALEMENT_PARQUET: (("signaler", "ne_pas_signaler"), "ne_pas_signaler"),
}
# examen_manuel's optional choices apart from the decision (R19, R48)
CONTRACT_OPTIONAL: dict[str, dict[str, tuple[str, ...]]] = {
    TASK_EXAMEN_MANUEL: {"obligation": REVIEW_OBLIGATION, "remboursement": REVIEW_REFUND},
}


@dataclass(frozen=True)
class FormField:
    type: str
    key: str | None
    label: str
    description: str = ""
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    values: tuple[tuple[str, str], ...] = ()
    text: str = ""  # a read-only text's content
    # custom properties (form-js `properties`, the editor's « Propriétés personnalisées »): the
    # values of a choice whose submission a clerk's page asks to confirm first, the warning
    # it shows and its button's label (CONFIRM_PROPERTIES)
    confirm: tuple[str, ...] = ()
    warning: str = ""
    confirm_button: str = ""

    @property
    def is_input(self) -> bool:
        return self.type in INPUT_TYPES

    def facets(self) -> dict:
        """What a diff and migration safety compare (labels apart)."""
        return {"type": self.type, "required": self.required, "min": self.minimum,
                "max": self.maximum, "minLength": self.min_length,
                "maxLength": self.max_length, "pattern": self.pattern,
                "values": [v for v, _ in self.values]}


@dataclass(frozen=True)
class Form:
    id: str
    components: tuple[FormField, ...] = field(default_factory=tuple)

    @property
    def fields(self) -> tuple[FormField, ...]:
        return tuple(c for c in self.components if c.is_input)

    def field(self, key: str) -> FormField | None:
        return next((f for f in self.fields if f.key == key), None)


def form_path(form_id: str) -> str:
    return f"{FORMS_DIR}/{form_id}{FORM_SUFFIX}"


def _problem(path: str, message: str) -> DefinitionProblem:
    return DefinitionProblem(path, None, message)


def _feel(value, where: str = "") -> str | None:
    """The first FEEL expression (a string starting with '=') found in `value`, by place."""
    if isinstance(value, str):
        return where or "valeur" if value.startswith("=") else None
    if isinstance(value, dict):
        for k, v in value.items():
            found = _feel(v, str(k))
            if found:
                return found
    if isinstance(value, list):
        for v in value:
            found = _feel(v, where)
            if found:
                return found
    return None


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]")


def pattern_problem(pattern: object) -> str | None:
    """A pattern is checked on the server with Python's `re`: bounded in length, compiled, and
    without a quantified group holding a quantifier (the shape of catastrophic backtracking)."""
    if not isinstance(pattern, str):
        return "le motif (pattern) doit être une chaîne"
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"motif (pattern) trop long : {len(pattern)} caractères (maximum " \
               f"{MAX_PATTERN_CHARS})"
    if _NESTED_QUANTIFIER.search(pattern) or re.search(r"\\[1-9]", pattern):
        return f"motif (pattern) refusé : « {pattern[:80]} » (répétition imbriquée ou " \
               "référence arrière, trop coûteuse à vérifier)"
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return f"motif (pattern) invalide : « {pattern[:80]} » (expression régulière)"
    return None


def key_problem(key: object) -> str | None:
    if not isinstance(key, str) or not key:
        return "champ sans clé (key)"
    if (not key.isidentifier() or not key.isascii() or keyword.iskeyword(key)
            or key.startswith("_") or key in RESERVED_KEYS or len(key) > 80):
        return f"clé de champ refusée : « {key[:80]} » (identifiant Python sans accent, de 80 " \
               "caractères au plus, ne commençant pas par « _ », hors mots réservés)"
    return None


def _component(raw, n: int, path: str, problems: list) -> FormField | None:
    where = f"champ n° {n}"
    if not isinstance(raw, dict):
        problems.append(_problem(path, f"{where} : composant illisible (objet attendu)"))
        return None
    ftype = raw.get("type")
    key = raw.get("key")
    if isinstance(key, str) and key:
        where = f"champ « {key[:80]} »"
    feel = _feel(raw)
    if feel:
        problems.append(_problem(path, f"{where} : les expressions FEEL (valeur commençant par "
                                       f"« = », ici « {feel[:40]} ») ne sont pas prises en "
                                       "charge"))
        return None
    if ftype not in FIELD_TYPES:
        problems.append(_problem(path, f"{where} : type de champ inconnu « {str(ftype)[:40]} » "
                                       f"(types pris en charge : {', '.join(FIELD_TYPES)})"))
        return None
    label = raw.get("label", "")
    description = raw.get("description", "")
    if not isinstance(label, str) or not isinstance(description, str):
        problems.append(_problem(path, f"{where} : libellé ou aide illisible (texte attendu)"))
        return None
    if len(label) > MAX_LABEL_CHARS or len(description) > MAX_LABEL_CHARS:
        problems.append(_problem(path, f"{where} : libellé ou aide trop long (maximum "
                                       f"{MAX_LABEL_CHARS} caractères)"))
        return None
    if ftype == "text":
        text = raw.get("text", "")
        if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
            problems.append(_problem(path, f"{where} : texte illisible ou trop long"))
            return None
        return FormField("text", None, label, description, text=text)
    bad_key = key_problem(key)
    if bad_key:
        problems.append(_problem(path, f"{where} : {bad_key}"))
        return None
    if ftype == "datetime" and raw.get("subtype", "date") != "date":
        problems.append(_problem(path, f"{where} : seules les dates sont prises en charge "
                                       "(subtype « date »)"))
        return None
    validate = raw.get("validate") or {}
    if not isinstance(validate, dict):
        problems.append(_problem(path, f"{where} : règles de validation illisibles"))
        return None
    required = validate.get("required", False)
    if not isinstance(required, bool):
        problems.append(_problem(path, f"{where} : « required » doit valoir vrai ou faux"))
        return None
    bounds = {}
    for name in ("min", "max", "minLength", "maxLength"):
        value = validate.get(name)
        if value is None or value == "":
            bounds[name] = None
            continue
        number = _number(value)
        if number is None or (name.endswith("Length") and (number != int(number) or number < 0)):
            problems.append(_problem(path, f"{where} : « {name} » doit être un nombre"
                                           f"{' entier positif' if 'Length' in name else ''}"))
            return None
        bounds[name] = int(number) if name.endswith("Length") else number
    for low, high in (("min", "max"), ("minLength", "maxLength")):
        if bounds[low] is not None and bounds[high] is not None and bounds[low] > bounds[high]:
            problems.append(_problem(path, f"{where} : « {low} » ({bounds[low]}) est plus grand "
                                           f"que « {high} » ({bounds[high]})"))
            return None
    pattern = validate.get("pattern") or None
    if pattern is not None:
        bad = pattern_problem(pattern)
        if bad:
            problems.append(_problem(path, f"{where} : {bad}"))
            return None
    values: tuple = ()
    if ftype in CHOICE_TYPES:
        raw_values = raw.get("values")
        if not isinstance(raw_values, list) or not raw_values:
            problems.append(_problem(path, f"{where} : une liste de choix doit donner ses "
                                           "valeurs (values), les valeurs dynamiques ne sont pas "
                                           "prises en charge"))
            return None
        if len(raw_values) > MAX_VALUES:
            problems.append(_problem(path, f"{where} : trop de valeurs (maximum {MAX_VALUES})"))
            return None
        out = []
        for v in raw_values:
            value = v.get("value") if isinstance(v, dict) else None
            vlabel = v.get("label", value) if isinstance(v, dict) else None
            if not isinstance(value, str) or not value or not isinstance(vlabel, str):
                problems.append(_problem(path, f"{where} : chaque valeur doit avoir une valeur "
                                               "(value) et un libellé (label) textuels"))
                return None
            out.append((value, vlabel or value))
        if len({v for v, _ in out}) != len(out):
            problems.append(_problem(path, f"{where} : valeurs en double"))
            return None
        values = tuple(out)
    confirm = _confirmation(raw.get("properties"), ftype, values, where, path, problems)
    if confirm is None:
        return None
    return FormField(ftype, key, label or key, description, required, bounds["min"],
                     bounds["max"], bounds["minLength"], bounds["maxLength"], pattern, values,
                     **confirm)


def _confirmation(props, ftype: str, values: tuple, where: str, path: str,
                  problems: list) -> dict | None:
    """The confirmation a field's custom properties ask for (FormField's `confirm`, `warning`,
    `confirm_button`), or None after telling its problem. Other custom properties are the
    designer's own and are left alone."""
    if props is None:
        return {}
    if not isinstance(props, dict):
        problems.append(_problem(path, f"{where} : propriétés personnalisées illisibles (objet "
                                       "attendu)"))
        return None
    asked = {name: props.get(name) for name in (PROP_CONFIRM, PROP_WARNING, PROP_BUTTON)
             if props.get(name) not in (None, "")}
    if not asked:
        return {}
    wrong = _confirmation_problem(asked, ftype, values)
    if wrong:
        problems.append(_problem(path, f"{where} : {wrong}"))
        return None
    named = tuple(v.strip() for v in asked[PROP_CONFIRM].split(",") if v.strip())
    warning = asked.get(PROP_WARNING, "").strip()
    button = asked.get(PROP_BUTTON, "").strip()
    return {"confirm": tuple(dict.fromkeys(named)), "warning": warning,
            "confirm_button": button}


def _confirmation_problem(asked: dict, ftype: str, values: tuple) -> str | None:
    """Why the confirmation these custom properties ask for cannot be (French), if it cannot."""
    if any(not isinstance(v, str) for v in asked.values()):
        return (f"les propriétés « {PROP_CONFIRM} », « {PROP_WARNING} » et « {PROP_BUTTON} » "
                "sont des textes")
    if PROP_CONFIRM not in asked:
        return (f"« {PROP_WARNING} » et « {PROP_BUTTON} » vont avec « {PROP_CONFIRM} » (les "
                "valeurs à faire confirmer)")
    if ftype not in CHOICE_TYPES:
        return f"« {PROP_CONFIRM} » ne s'applique qu'à une liste de choix ou à des boutons radio"
    named = [v.strip() for v in asked[PROP_CONFIRM].split(",") if v.strip()]
    unknown = [v for v in named if v not in {value for value, _ in values}]
    if not named or unknown:
        return (f"« {PROP_CONFIRM} » doit nommer des valeurs du champ, séparées par des "
                f"virgules (valeurs : {', '.join(v for v, _ in values)}) ; inconnue(s) : "
                f"{', '.join(unknown)[:200] or 'aucune valeur'}")
    if len(asked.get(PROP_WARNING, "").strip()) > MAX_TEXT_CHARS \
            or len(asked.get(PROP_BUTTON, "").strip()) > MAX_BUTTON_CHARS:
        return (f"« {PROP_WARNING} » ({MAX_TEXT_CHARS} caractères au plus) ou « {PROP_BUTTON} »"
                f" ({MAX_BUTTON_CHARS} au plus) trop long")
    return None


def parse_form(text: object, path: str) -> tuple[Form | None, list[DefinitionProblem]]:
    """The form of a `.form` file, or its problems (French, named by `path`)."""
    try:
        return _parse_form(text, path)
    except Exception as exc:  # noqa: BLE001 - never raise on any input
        return None, [_problem(path, f"formulaire illisible : {type(exc).__name__}")]


def _parse_form(text, path):
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")  # a BOM, as Windows editors write, is fine
        except UnicodeDecodeError:
            return None, [_problem(path, "formulaire illisible : encodage invalide (UTF-8 "
                                         "attendu)")]
    if not isinstance(text, str):
        return None, [_problem(path, "formulaire illisible")]
    if len(text.encode("utf-8")) > MAX_FORM_BYTES:
        return None, [_problem(path, f"formulaire trop volumineux (maximum "
                                     f"{MAX_FORM_BYTES // 1024} Kio)")]
    try:
        doc = json.loads(text.removeprefix("\ufeff"))
    except (ValueError, RecursionError):
        return None, [_problem(path, "formulaire illisible : ce n'est pas du JSON valide")]
    if not isinstance(doc, dict) or not isinstance(doc.get("components"), list) \
            or doc.get("type", "default") != "default":
        return None, [_problem(path, "ce n'est pas un formulaire form-js (objet JSON avec "
                                     "« components » et « type »: « default » attendu)")]
    form_id = doc.get("id")
    if not isinstance(form_id, str) or not re.match(r"^[A-Za-z_][A-Za-z0-9_.-]{0,79}$", form_id):
        return None, [_problem(path, "identifiant de formulaire (id) absent ou invalide")]
    components = doc["components"]
    if len(components) > MAX_COMPONENTS:
        return None, [_problem(path, f"formulaire trop grand : {len(components)} champs "
                                     f"(maximum {MAX_COMPONENTS})")]
    problems: list[DefinitionProblem] = []
    out = []
    for n, raw in enumerate(components, 1):
        comp = _component(raw, n, path, problems)
        if comp is not None:
            out.append(comp)
    seen: set[str] = set()
    for comp in out:
        if comp.key is None:
            continue
        if comp.key in seen:
            problems.append(_problem(path, f"clé de champ en double : « {comp.key} »"))
        seen.add(comp.key)
    if problems:
        return None, problems
    return Form(form_id, tuple(out)), []


def form_refs(root) -> dict[str, str | None]:
    """{user task id: its camunda:formRef (None without)} of a parsed BPMN document."""
    refs: dict[str, str | None] = {}
    if root is None:
        return refs
    for el in root.iter(_B + "userTask", _B + "manualTask"):
        if el.get("id"):
            ref = el.get(FORM_REF)
            refs[el.get("id")] = ref.strip() if ref and ref.strip() else None
    return refs


def parse_forms(files: dict | None) -> tuple[dict[str, Form], list[DefinitionProblem]]:
    """The forms of a bundle's files by form id, and the problems of the files."""
    forms: dict[str, Form] = {}
    problems: list[DefinitionProblem] = []
    files = files or {}
    if not isinstance(files, dict):
        return {}, [_problem("document", "fichiers du paquet illisibles")]
    form_files = {p: t for p, t in files.items() if isinstance(p, str) and p.endswith(FORM_SUFFIX)}
    if len(form_files) > MAX_FORMS:
        return {}, [_problem("document", f"trop de formulaires : {len(form_files)} (maximum "
                                         f"{MAX_FORMS})")]
    for path in sorted(form_files):
        form, found = parse_form(form_files[path], path)
        problems.extend(found)
        if form is None:
            continue
        if form.id in forms:
            problems.append(_problem(path, f"deux formulaires ont l'identifiant « {form.id} »"))
            continue
        forms[form.id] = form
    return forms, problems


def bundle_problems(root, files: dict | None) -> list[DefinitionProblem]:
    """Every problem of the forms of a bundle whose BPMN parsed as `root`. Never raises."""
    try:
        return _bundle_problems(root, files)
    except Exception as exc:  # noqa: BLE001
        return [_problem("document", f"paquet illisible : {type(exc).__name__}")]


def _bundle_problems(root, files):
    forms, problems = parse_forms(files)
    refs = form_refs(root)
    unreadable = {p.element_id for p in problems}
    used: set[str] = set()
    for task_id, ref in refs.items():
        if ref is None:
            if task_id in CONTRACT_DECISIONS:
                problems.append(DefinitionProblem(
                    task_id, _line(root, task_id),
                    f"la tâche « {task_id} » du contrat doit avoir un formulaire "
                    "(camunda:formRef)"))
            continue
        used.add(ref)
        form = forms.get(ref)
        if form is None:
            if form_path(ref) in unreadable:
                continue  # its own problems are listed
            problems.append(DefinitionProblem(
                task_id, _line(root, task_id),
                f"formulaire introuvable : « {ref} » (camunda:formRef) ; joignez le fichier "
                f"{form_path(ref)}"))
            continue
        problems.extend(DefinitionProblem(task_id, _line(root, task_id), m)
                        for m in contract_problems(task_id, form))
    for form_id in sorted(set(forms) - used):
        problems.append(_problem(form_path(form_id), f"formulaire « {form_id} » utilisé par "
                                                     "aucune tâche (camunda:formRef)"))
    return problems


def _line(root, element_id):
    try:
        found = root.xpath("//*[@id=$i]", i=element_id)
    except Exception:  # noqa: BLE001
        return None
    return found[0].sourceline if found else None


def contract_problems(task_key: str, form: Form) -> list[str]:
    """What the form of a contract task lacks (French); empty for any other task."""
    if task_key not in CONTRACT_DECISIONS:
        return []
    decisions, _refusing = CONTRACT_DECISIONS[task_key]
    out = []
    decision = form.field("decision")
    if decision is None or decision.type not in CHOICE_TYPES:
        out.append(f"le formulaire « {form.id} » de la tâche du contrat « {task_key} » doit "
                   "avoir un champ de choix « decision »")
    elif tuple(v for v, _ in decision.values) != decisions or not decision.required:
        out.append(f"formulaire « {form.id} » : le champ « decision » doit être obligatoire et "
                   f"avoir exactement les valeurs {', '.join(decisions)}")
    motif = form.field("motif")
    if motif is None or motif.type not in STRING_TYPES:
        out.append(f"le formulaire « {form.id} » de la tâche du contrat « {task_key} » doit "
                   "avoir un champ texte « motif »")
    for key, allowed in CONTRACT_OPTIONAL.get(task_key, {}).items():
        f = form.field(key)
        if f is not None and (f.type not in CHOICE_TYPES
                              or tuple(v for v, _ in f.values) != allowed):
            out.append(f"formulaire « {form.id} » : le champ « {key} » doit être un choix parmi "
                       f"{', '.join(allowed)}")
    extra = [f.key for f in form.fields
             if f.key not in {"decision", "motif", *CONTRACT_OPTIONAL.get(task_key, {})}]
    if extra:
        out.append(f"formulaire « {form.id} » : champ(s) que la tâche du contrat « {task_key} » "
                   f"ne connaît pas : {', '.join(extra)}")
    return out


SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"


def empty_schema(title: str | None = None) -> dict:
    schema = {"$schema": SCHEMA_URI, "type": "object", "properties": {},
              "additionalProperties": False}
    if title:
        schema["title"] = title
    return schema


def _property(f: FormField) -> dict:
    prop: dict = {"title": f.label}
    if f.description:
        prop["description"] = f.description
    if f.type in STRING_TYPES:
        prop["type"] = "string"
        prop["maxLength"] = f.max_length if f.max_length is not None else MAX_TEXT_CHARS
        min_length = f.min_length or (1 if f.required else None)
        if min_length:
            prop["minLength"] = min_length
        if f.pattern:
            prop["pattern"] = f.pattern
    elif f.type == "number":
        prop["type"] = "number"
        if f.minimum is not None:
            prop["minimum"] = f.minimum
        if f.maximum is not None:
            prop["maximum"] = f.maximum
    elif f.type == "datetime":
        prop.update(type="string", format="date")
    elif f.type in CHOICE_TYPES:
        prop.update(type="string", enum=[v for v, _ in f.values])
    elif f.type == "checkbox":
        prop["type"] = "boolean"
        if f.required:
            prop["const"] = True
    return prop


def json_schema(form: Form | None, task_key: str, title: str | None = None) -> dict:
    """The JSON Schema (2020-12) of the data a task takes: its form's input fields, required
    ones listed; a contract decision task also requires `motif` with the refusing decision."""
    schema = empty_schema(title)
    if form is None:
        return schema
    required = []
    for f in form.fields:
        schema["properties"][f.key] = _property(f)
        if f.required:
            required.append(f.key)
    if required:
        schema["required"] = required
    if task_key in CONTRACT_DECISIONS and "decision" in schema["properties"] \
            and "motif" in schema["properties"]:
        refusing = CONTRACT_DECISIONS[task_key][1]
        # `required` in the condition: without it a decision left out satisfied it, and the
        # clerk was told the decision twice and the motif as if refusing (a QA finding)
        schema["if"] = {"required": ["decision"],
                        "properties": {"decision": {"const": refusing}}}
        schema["then"] = {"required": ["motif"], "properties": {"motif": {"minLength": 1}}}
    return schema


def blank_value(f: FormField):
    """What a field the caller left out stands for when the task's data reaches the engine,
    the same for every field of a type (and what the clerks' page sends for an empty field):
    a text (textfield, textarea) is "", a checkbox False, a number, a date or a choice (select,
    radio) None (no value). form-js's `defaultValue` is not read: a left-out field is blank."""
    if f.type in STRING_TYPES:
        return ""
    if f.type == "checkbox":
        return False
    return None


def with_blanks(form: Form | None, data: dict) -> dict:
    """`data` with every input field of `form` it lacks set to its blank value: a designer's
    script can read every field of its form (a QA finding: « name 'motif' is not defined »
    when an API client left out an optional motif), and a field left out does not keep the
    value an earlier task of the case gave the same name."""
    if form is None:
        return dict(data)
    return {**{f.key: blank_value(f) for f in form.fields}, **data}


def form_changes(old: Form | None, new: Form | None) -> list[tuple[str, str | None, str | None]]:
    """(field key, before, after) for each field added, removed or changed between two forms;
    `before`/`after` are short French descriptions. Labels count (they show to clerks)."""
    old_fields = {f.key: f for f in (old.fields if old else ())}
    new_fields = {f.key: f for f in (new.fields if new else ())}
    out = []
    for key in [*old_fields, *[k for k in new_fields if k not in old_fields]]:
        a, b = old_fields.get(key), new_fields.get(key)
        if a == b:
            continue
        out.append((key, describe(a) if a else None, describe(b) if b else None))
    return out


def describe(f: FormField) -> str:
    parts = [f"« {f.label} » ({FIELD_TYPES[f.type]})"]
    if f.required:
        parts.append("obligatoire")
    if f.values:
        parts.append("valeurs : " + ", ".join(v for v, _ in f.values))
    for name, value in (("min", f.minimum), ("max", f.maximum), ("minLength", f.min_length),
                        ("maxLength", f.max_length), ("pattern", f.pattern)):
        if value is not None:
            parts.append(f"{name} {value}")
    if f.description:
        parts.append(f"aide « {f.description} »")
    if f.confirm:
        parts.append("confirmation demandée pour : " + ", ".join(f.confirm)
                     + (f" (avertissement « {f.warning} »)" if f.warning else "")
                     + (f" (bouton « {f.confirm_button} »)" if f.confirm_button else ""))
    return ", ".join(parts)


def only_labels_changed(old: Form | None, new: Form | None) -> bool:
    """True when the two forms take the same data (same keys, types, rules and values): only
    labels, help or read-only texts differ."""
    def shape(form):
        return {f.key: f.facets() for f in (form.fields if form else ())}
    return shape(old) == shape(new)
