"""Process bundles (docs/process-bundle.md): a version or a draft is its BPMN plus the files it
uses (its form-js forms, `forms/<id>.form`). Read from a zip (bounded, zip-bomb safe), checked as
a whole, exported as a zip; and the forms of a deployed version, parsed once per version."""

from __future__ import annotations

import hashlib
import io
import json
import posixpath
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from services.db import db, end_read_transaction, in_command
from services.errors import Invalid
from services.letters.render import LETTER_SUFFIX, LETTERS_DIR, TEMPLATE_ID, is_letter_path
from services.models import ProcessInstance, ProcessVersion
from workflows import check_document
from workflows import decisions as decisions_mod
from workflows import validate as validate_definition
from workflows.definitions import DefinitionProblem, document_root
from workflows.forms import (
    FIELD_TYPES,
    FORM_SUFFIX,
    FORMS_DIR,
    Form,
    bundle_problems,
    empty_schema,
    form_path,
    form_refs,
    json_schema,
    parse_form,
    parse_forms,
)

MAX_ZIP_BYTES = 5 * 1024 * 1024  # the zip itself (the body limit, MAX_CONTENT_LENGTH, comes first)
MAX_ZIP_ENTRIES = 200
MAX_UNCOMPRESSED = 12 * 1024 * 1024  # everything read out of it
MAX_FILE_BYTES = 5 * 1024 * 1024  # one file (the BPMN's own limit)
SHIPPED_FORMS = Path(__file__).resolve().parent.parent / "bpmn" / FORMS_DIR
DECISIONS_DIR = decisions_mod.DECISIONS_DIR
DMN_SUFFIX = decisions_mod.DMN_SUFFIX
BPMN_SUFFIXES = (".bpmn", ".bpmn20.xml")  # Flowable names its files .bpmn20.xml
# the form-js field types a form may use: the editor's palette offers exactly these
FORM_FIELD_TYPES = tuple(FIELD_TYPES)
FORM_FIELD_LABELS = dict(FIELD_TYPES)  # their French names, which the palette shows
# the column types (typeRef) a decision table may declare: the table editor offers exactly these
DECISION_TYPE_REFS = tuple(decisions_mod.TYPE_REFS)


def checksum(xml: bytes, files: dict | None) -> str:
    """The BPMN's SHA-256 when the bundle has no other file (so the versions deployed before
    bundles keep theirs), else that of the BPMN and the files, in path order."""
    if not files:
        return hashlib.sha256(xml).hexdigest()
    digest = hashlib.sha256(xml)
    for path in sorted(files):
        digest.update(b"\0" + path.encode() + b"\0" + str(files[path]).encode())
    return digest.hexdigest()


def _zip_problem(detail: str) -> Invalid:
    return Invalid.field("body", f"Archive zip refusée : {detail}")


def form_file(name: str, data: bytes) -> tuple[str, str]:
    """(stored path, text) of an uploaded `.form` file: `forms/<id>.form` when its JSON names
    an id, else `forms/<file name>` (its problems are then told under that name)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid.field("file", f"Le formulaire « {name[:80]} » n'est pas un texte UTF-8."
                            ) from None
    base = posixpath.basename(name.replace("\\", "/")) or "formulaire.form"
    try:
        doc = json.loads(text)
        form_id = doc.get("id") if isinstance(doc, dict) else None
    except (ValueError, RecursionError):
        form_id = None
    if isinstance(form_id, str) and form_id and "/" not in form_id and len(form_id) <= 80:
        return form_path(form_id), text
    return f"{FORMS_DIR}/{base[:120]}", text


def add_form(files: dict, name: str, data: bytes) -> None:
    path, text = form_file(name, data)
    if path in files:
        raise Invalid.field("file", f"Deux formulaires portent le même identifiant : « {path} ».")
    files[path] = text


def add_letter(files: dict, name: str, data: bytes) -> None:
    """A letter template (`courriers/<name>.html`, docs/process-bundle.md « Courriers »)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid.field("file", f"Le courrier « {name[:80]} » n'est pas un texte UTF-8."
                            ) from None
    base = posixpath.basename(name)
    if not base.endswith(LETTER_SUFFIX) or not TEMPLATE_ID.fullmatch(base[:-len(LETTER_SUFFIX)]):
        raise Invalid.field("file", f"Nom de courrier invalide « {base[:80]} » : lettres "
                            "minuscules sans accent, chiffres et « _ », puis « .html ».")
    path = f"{LETTERS_DIR}/{base}"
    if path in files:
        raise Invalid.field("file", f"Deux courriers portent le même nom : « {path} ».")
    files[path] = text


def decision_file(name: str, data: bytes) -> tuple[str, str]:
    """(stored path, text) of an uploaded `.dmn` file: `decisions/<decision id>.dmn` when it
    names one decision, else `decisions/<file name>` (its problems are told under that name)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid.field("file", f"La table de décision « {name[:80]} » n'est pas un texte "
                            "UTF-8.") from None
    base = posixpath.basename(name.replace("\\", "/")) or "decision.dmn"
    root, _ = decisions_mod.parse_document(text)
    ids = [d.get("id") for d in root if isinstance(d.tag, str)
           and _local_name(d) == "decision"] if root is not None else []
    if len(ids) == 1 and isinstance(ids[0], str) and decisions_mod.valid_id(ids[0]):
        return decisions_mod.decision_path(ids[0]), text
    return f"{DECISIONS_DIR}/{base[:120]}", text


def _local_name(el) -> str:
    return str(el.tag).rsplit("}", 1)[-1]


def add_decision(files: dict, name: str, data: bytes) -> None:
    path, text = decision_file(name, data)
    if path in files:
        raise Invalid.field("file", f"Deux tables de décision portent le même identifiant : "
                                    f"« {path} ».")
    files[path] = text


def read_zip(data: bytes) -> tuple[bytes, dict[str, str]]:
    """(BPMN bytes, {path: text}) of a zip holding one `.bpmn`, `.form` and `.dmn` files anywhere,
    and letter templates in a `courriers/` folder (`courriers/<id>.html`);
    Invalid (422, French) for anything else. Sizes are checked on what is actually read, not on
    what the archive declares; no path is ever written to disk."""
    if len(data) > MAX_ZIP_BYTES:
        raise _zip_problem(f"trop volumineuse (maximum {MAX_ZIP_BYTES // (1024 * 1024)} Mio).")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _zip_problem("ce n'est pas une archive zip lisible.") from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise _zip_problem(f"trop de fichiers ({len(entries)}, maximum {MAX_ZIP_ENTRIES}).")
    bpmn: list[tuple[str, bytes]] = []
    files: dict[str, str] = {}
    total = 0
    for entry in entries:
        name = entry.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            raise _zip_problem(f"chemin interdit « {name[:80]} ».")
        if entry.is_dir() or parts[0] == "__MACOSX":
            continue
        lower = name.lower()
        letter = len(parts) >= 2 and parts[-2] == LETTERS_DIR and lower.endswith(LETTER_SUFFIX)
        if not lower.endswith((*BPMN_SUFFIXES, FORM_SUFFIX, DMN_SUFFIX)) and not letter:
            continue
        if entry.flag_bits & 0x1:
            raise _zip_problem(f"fichier chiffré « {name[:80]} ».")
        try:
            with archive.open(entry) as member:
                content = member.read(MAX_FILE_BYTES + 1)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
                RuntimeError):
            raise _zip_problem(f"fichier illisible « {name[:80]} ».") from None
        if len(content) > MAX_FILE_BYTES:
            raise _zip_problem(f"fichier trop volumineux « {name[:80]} ».")
        total += len(content)
        if total > MAX_UNCOMPRESSED:
            raise _zip_problem(f"contenu trop volumineux une fois décompressé (maximum "
                               f"{MAX_UNCOMPRESSED // (1024 * 1024)} Mio).")
        if lower.endswith(BPMN_SUFFIXES):
            bpmn.append((name, content))
        elif letter:
            add_letter(files, parts[-1], content)
        elif lower.endswith(DMN_SUFFIX):
            add_decision(files, name, content)
        else:
            add_form(files, name, content)
    if len(bpmn) != 1:
        raise _zip_problem(f"elle doit contenir exactement un fichier .bpmn (elle en contient "
                           f"{len(bpmn)}).")
    return bpmn[0][1], files


def to_zip(key: str, xml: bytes, files: dict | None) -> bytes:
    """The bundle as a zip: `<key>.bpmn` and its files at their paths."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{key}.bpmn", xml)
        for path in sorted(files or {}):
            archive.writestr(path, files[path])
    return out.getvalue()


def referenced(xml: bytes, files: dict | None) -> dict[str, str]:
    """The files of `files` whose form the BPMN `xml` references, and the letters (what a raw
    BPMN inherits)."""
    if not files:
        return {}
    try:
        root = document_root(xml)
    except Exception:  # noqa: BLE001 - an unreadable BPMN inherits nothing
        return {}
    refs = {r for r in form_refs(root).values() if r}
    decision_refs = {r for r in decisions_mod.rule_task_refs(root).values() if r}
    out = {p: t for p, t in decisions_mod.decision_files(files).items()
           if posixpath.basename(p)[:-len(DMN_SUFFIX)] in decision_refs}
    # the letters are named by the actions' parameters, not by an element: all are kept
    out.update({p: t for p, t in files.items() if is_letter_path(str(p))})
    for path, text in files.items():
        if not str(path).endswith(FORM_SUFFIX):  # tables and letters were taken above
            continue
        form, _ = parse_form(text, path)
        if form is not None and form.id in refs:
            out[path] = text
    return out


def with_inherited_files(xml: bytes, files: dict, base_files) -> dict:
    """`files`, plus the decision tables of `base_files` that `xml` references when `files`
    holds none, its forms that `xml` references when `files` holds no form, and its letters
    when `files` holds none (the modeler sends its BPMN, forms and tables, not the letters)."""
    if not base_files:
        return files
    base = referenced(xml, decode_files(base_files))
    out = dict(files)
    if not decisions_mod.decision_files(files):
        out.update(decisions_mod.decision_files(base))
    if not any(str(p).endswith(FORM_SUFFIX) for p in files):
        out.update({p: t for p, t in base.items() if p.endswith(FORM_SUFFIX)})
    if not any(is_letter_path(str(p)) for p in files):
        out.update({p: t for p, t in base.items() if is_letter_path(str(p))})
    return out


def shipped_files(xml: bytes, forms_dir: Path) -> dict[str, str]:
    """The forms of a shipped directory (`<dir>/forms/*.form`) and its decision tables
    (`<dir>/decisions/*.dmn`) that `xml` references, and the letters of `<dir>/courriers/*.html`."""
    files = {}
    if forms_dir.is_dir():
        for path in sorted(forms_dir.glob(f"*{FORM_SUFFIX}")):
            files.update([form_file(path.name, path.read_bytes())])
    letters_dir = forms_dir.parent / LETTERS_DIR
    if letters_dir.is_dir():
        for path in sorted(letters_dir.glob(f"*{LETTER_SUFFIX}")):
            add_letter(files, path.name, path.read_bytes())
    decisions_dir = forms_dir.parent / DECISIONS_DIR
    if decisions_dir.is_dir():
        for path in sorted(decisions_dir.glob(f"*{DMN_SUFFIX}")):
            files.update([decision_file(path.name, path.read_bytes())])
    return referenced(xml, files)


def problems(key: str, xml: bytes, files: dict | None) -> list[DefinitionProblem]:
    """Every problem of the bundle: its BPMN's, then its forms' and its decision tables' (each
    named by its element or file). Never raises."""
    forms, _ = parse_forms(files or {})
    names = frozenset(f.key for form in forms.values() for f in form.fields)
    names |= decisions_mod.output_names(files)  # what a decision leaves in the task data
    found = validate_definition(xml, key, names, files)
    if check_document(xml):
        return found
    try:
        root = document_root(xml)
    except Exception:  # noqa: BLE001
        return found
    return [*found, *bundle_problems(root, files or {}),
            *(DefinitionProblem(path, None, message)
              for path, message in decisions_mod.bundle_problems(root, files, names)),
            *letter_problems(files)]


def letter_problems(files: dict | None) -> list[DefinitionProblem]:
    """Each letter template of the bundle rendered against a sample case (services/letters):
    a syntax error, an unknown name or a sandbox refusal, named by its file and line."""
    from services.letters.context import sample_context
    from services.letters.render import template_problems

    try:
        found = template_problems(files if isinstance(files, dict) else {}, sample_context())
    except Exception as exc:  # noqa: BLE001 - never raises
        return [DefinitionProblem("document", None, f"courriers illisibles : "
                                                    f"{type(exc).__name__}")]
    return _letter_problems(found, "produit")


def _letter_problems(found, done: str) -> list[DefinitionProblem]:
    return [DefinitionProblem(p.path, p.line, f"le courrier « {p.path} » ne peut pas être "
                                              f"{done} : {p.message}") for p in found]


def letter_layout_problems(files: dict | None, base_files) -> list[DefinitionProblem]:
    """The letters of the bundle whose templates differ from those of `base_files` (the version
    the deployment follows; None: a new process, every letter), rendered against the sample case
    and laid out as PDF by the bounded child (services/letters/layout.py): each one past a limit
    of the layout, or that WeasyPrint cannot lay out, named by its file. Laying out takes up to
    seconds: never inside a command, whose transaction holds the write lock on SQLite (a
    RuntimeError); the caller's read transaction is ended first (no snapshot held meanwhile)."""
    from services.letters.context import sample_context
    from services.letters.render import changed_letters, layout_problems

    if in_command():
        raise RuntimeError("letters laid out inside a command's transaction")
    files = files if isinstance(files, dict) else {}
    ids = changed_letters(files, decode_files(base_files) if base_files is not None else None)
    if not ids:
        return []
    end_read_transaction()
    return _letter_problems(layout_problems(files, ids, sample_context()), "mis en page")


# --- the forms of a deployed version, parsed once per (version, checksum) -----------------------

@dataclass(frozen=True)
class TaskForm:
    form: Form | None  # None: a confirmation (no field), or an unreadable form (`problem`)
    schema: dict
    problem: str | None = None  # French: why the task's form cannot be read


UNREADABLE = ("Le formulaire de cette tâche est illisible dans la version déployée du "
              "processus : la tâche ne peut pas être terminée. Un concepteur doit déployer une "
              "version corrigée.")


class VersionForms:
    """The forms of one deployed version, by task key."""

    def __init__(self, xml: bytes, files: dict | None):
        self.refs: dict[str, str | None] = {}
        self.forms: dict[str, Form] = {}
        self.broken = False
        try:
            self.refs = form_refs(document_root(xml))
        except Exception:  # noqa: BLE001 - a version always parses; never fail a page here
            self.broken = True
        try:
            entries = dict(files or {})
        except (TypeError, ValueError):
            entries = {}
            self.broken = True
        for path, text in entries.items():
            form, _ = parse_form(text, str(path))
            if form is not None:
                self.forms.setdefault(form.id, form)
        self.legacy = not entries  # deployed before bundles: the shipped contract forms
        self._schemas: dict[str, TaskForm] = {}

    def task(self, key: str, title: str | None = None) -> TaskForm:
        if key not in self._schemas:
            self._schemas[key] = self._task(key, title)
        return self._schemas[key]

    def _task(self, key: str, title: str | None) -> TaskForm:
        ref = self.refs.get(key)
        if ref is None and self.legacy and not self.broken:
            form = _shipped_contract_form(key)
            return TaskForm(form, json_schema(form, key, title))
        if ref is None and not self.broken:
            return TaskForm(None, empty_schema(title))
        form = self.forms.get(ref) if ref else None
        if form is None:
            schema = empty_schema(title)
            schema["description"] = UNREADABLE
            return TaskForm(None, schema, UNREADABLE)
        return TaskForm(form, json_schema(form, key, title))


def _shipped_contract_form(key: str) -> Form | None:
    path = SHIPPED_FORMS / f"{key}{FORM_SUFFIX}"
    if not path.is_file():
        return None
    form, _ = parse_form(path.read_text("utf-8"), path.name)
    return form


def shipped_contract_schema(key: str) -> dict:
    """The JSON Schema of a contract task's shipped form (bpmn/forms/<key>.form)."""
    return json_schema(_shipped_contract_form(key), key)


_CACHE: dict[tuple[int, str], VersionForms] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_MAX = 64


def version_forms(version_id: int, version_checksum: str) -> VersionForms:
    """The parsed forms of a version (immutable: cached by id and checksum, like the spec)."""
    cache_key = (version_id, version_checksum)
    found = _CACHE.get(cache_key)
    if found is not None:
        return found
    row = db.session.execute(select(ProcessVersion.xml, ProcessVersion.files)
                             .where(ProcessVersion.id == version_id)).one_or_none()
    forms = VersionForms(row[0] if row else b"", row[1] if row else {})
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[cache_key] = forms
    return forms


def case_versions(case_ids) -> dict[int, tuple[int, str]]:
    """{case id: (version id, checksum)} of these cases' instances, in one query."""
    ids = sorted(set(case_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(ProcessInstance.case_id, ProcessVersion.id, ProcessVersion.checksum)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.version_id)
        .where(ProcessInstance.case_id.in_(ids))).all()
    return {case_id: (vid, cs) for case_id, vid, cs in rows}


def decode_files(files) -> dict:
    """A version's files as stored (a JSON object), tolerating a damaged row."""
    if isinstance(files, dict):
        return files
    if isinstance(files, str):
        try:
            value = json.loads(files)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}
    return {}


def forms_view(files) -> dict:
    """`{"forms": {form id: document}}` for the editor (forms that do not parse as JSON are left
    out: their problems are the draft's)."""
    out = {}
    for path, text in sorted(decode_files(files).items()):
        if not str(path).endswith(FORM_SUFFIX):
            continue
        try:
            doc = json.loads(text)
        except (ValueError, TypeError, RecursionError):
            continue
        if isinstance(doc, dict):
            form_id = doc.get("id") if isinstance(doc.get("id"), str) else \
                posixpath.basename(str(path))[:-len(FORM_SUFFIX)]
            out[form_id] = doc
    return {"forms": out}


def decisions_view(files) -> dict:
    """`{"decisions": {decision id: DMN XML}}` for the editor (by file name: a table's problems
    are the draft's)."""
    found = decisions_mod.decision_files(decode_files(files))
    return {"decisions": {posixpath.basename(p)[:-len(DMN_SUFFIX)]: t
                          for p, t in sorted(found.items())}}
