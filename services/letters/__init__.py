"""The case's letters as PDF (issue 15 item 3; docs/process-bundle.md, « Courriers »).

`issue_letter` renders a template of the case's own process version and stores the PDF in the
caller's transaction; the reads list and serve them. A letter is immutable (services/models)."""

from __future__ import annotations

import hashlib
import html as html_lib
import re

from sqlalchemy import select

from services import audit, bundles
from services.clock import clock
from services.db import db
from services.errors import NotFound
from services.letters import render as rendering
from services.letters.context import letter_context, sample_context
from services.letters.render import LetterError, template_ids
from services.models import Letter, ProcessInstance, ProcessVersion

__all__ = ["LETTER_EVENT", "LetterError", "issue_letter", "letter_for", "letters_of",
           "letter_context", "sample_context", "template_ids"]

LETTER_EVENT = "courrier_genere"
COMMAND = "generer_courrier"
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
MAX_TITLE = Letter.__table__.c.title.type.length


def title_of(html: str, template_id: str) -> str:
    """The letter's title: its HTML <title> (the layout's `titre` block), else its id."""
    found = _TITLE.search(html)
    text = " ".join(html_lib.unescape(found.group(1)).split()) if found else ""
    return (text or template_id)[:MAX_TITLE]


def _version_of(case) -> ProcessVersion | None:
    return db.session.scalar(select(ProcessVersion).join(
        ProcessInstance, ProcessInstance.version_id == ProcessVersion.id)
        .where(ProcessInstance.case_id == case.id))


def issue_letter(case, template_id: str, *, actor: str, version_id: int | None = None) -> Letter:
    """Render `courriers/<template_id>.html` of the case's process version against the case,
    store the PDF and record the history event, in the caller's transaction (no commit). A
    template that fails anyway (deployment renders every template first) is an incident
    (IncidentRaised, 409): the caller's command is rolled back, nothing half made is kept."""
    from services.incidents import IncidentRaised

    # the running version when the caller knows it (a case being opened has no instance row yet)
    version = db.session.get(ProcessVersion, version_id) if version_id else _version_of(case)
    if version is None:
        raise NotFound(f"Le dossier n° {case.id} n'a pas d'instance de processus.")
    try:
        data = audit.jsonable(letter_context(case), keep_none=True)
        made = rendering.render(bundles.decode_files(version.files), template_id, data)
    except Exception as exc:  # noqa: BLE001 - a letter that cannot be made is an incident
        detail = str(exc) if isinstance(exc, LetterError) else type(exc).__name__
        raise IncidentRaised(f"le courrier « {template_id[:80]} » n'a pas pu être produit "
                             f"({detail})", case_id=case.id, version_id=version.id,
                             element_id=None, command=COMMAND, actor=actor) from None
    title = title_of(made.html, template_id)
    letter = Letter(case_id=case.id, template_id=template_id, version_id=version.id,
                    bundle_checksum=version.checksum, title=title, data=data, pdf=made.pdf,
                    sha256=hashlib.sha256(made.pdf).hexdigest(), created_at=clock().now(),
                    created_by=actor)
    db.session.add(letter)
    db.session.flush()
    # shown as « Courrier généré — courrier : « <title> », … » (web/labels.py)
    audit.record(case, LETTER_EVENT, actor, courrier=f"« {title} »", lettre=letter.id,
                 modele=template_id, sha256=letter.sha256)
    return letter


def letters_of(case_id: int) -> list[dict]:
    """The case's letters, oldest first, without their PDF."""
    rows = db.session.execute(
        select(Letter.id, Letter.template_id, Letter.title, Letter.sha256, Letter.created_at,
               Letter.created_by).where(Letter.case_id == case_id).order_by(Letter.id)).all()
    return [{"id": r.id, "template": r.template_id, "title": r.title, "sha256": r.sha256,
             "created_at": r.created_at, "created_by": r.created_by} for r in rows]


def letter_for(case_id: int, letter_id: int) -> Letter:
    """The letter `letter_id` of case `case_id`; 404 when unknown or another case's."""
    letter = db.session.get(Letter, letter_id)
    if letter is None or letter.case_id != case_id:
        raise NotFound(f"Aucun courrier n° {letter_id} pour le dossier n° {case_id}.")
    return letter
