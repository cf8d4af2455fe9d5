"""« Aperçu côté agent »: a user task's form as a clerk will meet it, from the form editor, before
anything is deployed (docs/designers.md).

The form-js document being edited is read and checked as a deployment checks the forms of a
bundle (`workflows.forms.parse_form`, and the contract's rules for the contract's tasks:
`contract_problems`), with the same French messages; the data typed in the preview is checked
by the clerk's own check (`services.tasks.check_data`, the JSON Schema of the form and its French
messages) and, when accepted, completed with blanks as the engine would receive it
(`with_blanks`). Nothing is read from or written to the database: no case, no task, no draft,
no history."""

from __future__ import annotations

import re
from dataclasses import dataclass

from services import bundles, statuses, tasks
from services.errors import Invalid
from workflows.forms import (
    contract_problems,
    form_path,
    json_schema,
    parse_form,
    with_blanks,
)

# a BPMN element id (an XML NCName, as the editor's ids are), bounded as the validation bounds it
TASK_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,199}$")
MAX_TITLE_CHARS = 500
NO_FORM = ("Aucun formulaire reçu : ouvrez le formulaire d'une tâche dans l'éditeur puis "
           "demandez l'aperçu.")
BAD_TASK = ("Identifiant de tâche invalide : l'aperçu se demande depuis le formulaire d'une "
            "tâche utilisateur du diagramme.")
# a check of the clerk's completion that reads the real case (services/tasks._check_review_applies)
CASE_CHECKS = {
    statuses.TASK_EXAMEN_MANUEL: (
        "le contrôle fait sur le dossier réel (« Créditer » et « Remboursement accordé » "
        "supposent un stage attesté qui attend son crédit) n'est pas fait ici"),
}


@dataclass(frozen=True)
class Preview:
    task_key: str
    title: str
    form: bundles.TaskForm | None  # None when the document has problems
    problems: tuple[str, ...] = ()
    case_check: str | None = None  # what the real completion would also check on the case
    deployment: bool = False  # the problems are those a deployment would give the document


def preview(schema: str | bytes | None, task_key: str | None, title: str | None,
            file_name: str = "apercu.form") -> Preview:
    """The form a clerk would be shown for `schema` on the task `task_key`, or the problems a
    deployment would give it (French). `schema` in bytes is an uploaded file, `file_name` its
    name, decoded as a bundle's `.form` file is. Never raises."""
    key = (task_key or "").strip()
    shown = " ".join((title or "").split())[:MAX_TITLE_CHARS] or key
    if not TASK_ID.fullmatch(key):
        return Preview(key[:200], shown[:200], None, (BAD_TASK,))
    case_check = CASE_CHECKS.get(key)
    if schema is None or (isinstance(schema, (str, bytes)) and not schema.strip()):
        return Preview(key, shown, None, (NO_FORM,), case_check)
    if isinstance(schema, bytes):
        try:
            _, schema = bundles.form_file(file_name, schema)
        except Invalid as exc:
            return Preview(key, shown, None, (exc.detail,), case_check, True)
    form, problems = parse_form(schema, form_path("apercu"))
    if form is None:
        return Preview(key, shown, None, tuple(p.message for p in problems), case_check, True)
    refused = contract_problems(key, form)
    if refused:
        return Preview(key, shown, None, tuple(refused), case_check, True)
    return Preview(key, shown, bundles.TaskForm(form, json_schema(form, key, shown)), (),
                   case_check)


def try_data(found: bundles.TaskForm, data: dict) -> dict:
    """What the engine would receive for `data` typed in the form: every field of the form, a
    left-out one blank; or Invalid with the clerk's French messages keyed `data.<key>`."""
    tasks.check_data(found, data)
    return with_blanks(found.form, data)
