"""The case's letters as PDF (issue 15 item 3; docs/process-bundle.md, « Courriers »).

`issue_letter` renders a template of the case's own process version against the case and stores
the letter's text (its HTML) in the caller's transaction: what the letter says is fixed by the
command. Laying it out as a PDF (WeasyPrint, ≈ 70 ms) is not the clerk's wait (issue 17): the
command also writes an outbox job that the worker runs after the commit (`make_pdf`), and a
download of a letter not laid out yet lays it out first. Either way the PDF is stored once, by
a statement that fills it only where it is still empty, so that two workers, or a worker and a
download, agree on one PDF and one SHA-256. A letter is otherwise immutable (services/models)."""

from __future__ import annotations

import contextlib
import hashlib
import html as html_lib
import re

from sqlalchemy import select, update

from services import audit, bundles, outbox
from services.clock import clock
from services.db import command, db
from services.errors import Conflict, NotFound
from services.letters import render as rendering
from services.letters.context import letter_context, sample_context
from services.letters.render import LetterError, template_ids
from services.models import Letter, OutboxJob, ProcessInstance, ProcessVersion

__all__ = ["LETTER_EVENT", "LetterError", "issue_letter", "letter_for", "letters_of",
           "letter_context", "make_pdf", "pdf_of", "sample_context", "template_ids"]

LETTER_EVENT = "courrier_genere"
COMMAND = "generer_courrier"
PDF_CHANNEL = "courrier_pdf"  # services/channels: the outbox job that lays a letter out
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
MAX_TITLE = Letter.__table__.c.title.type.length
_INSERT = Letter.__table__.insert().returning(Letter.__table__.c.id)


def title_of(html: str, template_id: str) -> str:
    """The letter's title: its HTML <title> (the layout's `titre` block), else its id."""
    found = _TITLE.search(html)
    text = " ".join(html_lib.unescape(found.group(1)).split()) if found else ""
    return (text or template_id)[:MAX_TITLE]


def _version_of(case) -> int | None:
    return db.session.scalar(select(ProcessInstance.version_id)
                             .where(ProcessInstance.case_id == case.id))


def _checksum_of(version_id: int) -> str | None:
    # the checksum only: the row's xml and files are large, and read only to compile templates
    # (a version's are compiled once: render.version_environment, keyed by id and checksum)
    return db.session.scalar(select(ProcessVersion.checksum)
                             .where(ProcessVersion.id == version_id))


def _files_of(version_id: int):
    return lambda: bundles.decode_files(db.session.scalar(
        select(ProcessVersion.files).where(ProcessVersion.id == version_id)))


def issue_letter(case, template_id: str, *, actor: str, version_id: int | None = None,
                 checksum: str | None = None, ledger=None) -> int:
    """Render `courriers/<template_id>.html` of the case's process version against the case,
    store the letter's text and record the history event, in the caller's transaction (no
    commit), with the outbox job that lays it out as a PDF after the commit: the letter's
    id. A template that fails anyway (deployment renders every template first) is an incident
    (IncidentRaised, 409): the caller's command is rolled back, nothing half made is kept. A
    run passes what it knows already: the version's `checksum` (with `version_id`) and
    `ledger()`, the licence's ledger as the run leaves it (None: replayed here)."""
    from services.incidents import IncidentRaised

    # the running version when the caller knows it (a case being opened has no instance row yet)
    if version_id is None or checksum is None:
        version_id = version_id or _version_of(case)
        checksum = _checksum_of(version_id) if version_id else None
    if checksum is None:
        raise NotFound(f"Le dossier n° {case.id} n'a pas d'instance de processus.")
    try:
        known = ledger() if ledger else None
        # With the ledger known, the context reads only rows by key and collections already
        # in memory: the command's pending changes are flushed once, with its write-back.
        with db.session.no_autoflush if known is not None else contextlib.nullcontext():
            data = audit.jsonable(letter_context(case, known), keep_none=True)
        env = rendering.version_environment(version_id, checksum, _files_of(version_id))
        html = rendering.render_html(None, template_id, data, env=env)
    except Exception as exc:  # noqa: BLE001 - a letter that cannot be made is an incident
        detail = str(exc) if isinstance(exc, LetterError) else type(exc).__name__
        raise IncidentRaised(f"le courrier « {template_id[:80]} » n'a pas pu être produit "
                             f"({detail})", case_id=case.id, version_id=version_id,
                             element_id=None, command=COMMAND, actor=actor) from None
    title = title_of(html, template_id)
    # One Core INSERT … RETURNING id, as for the history's events (services/audit): a letter is
    # never changed by the command that makes it, and a flush of the unit of work only for its
    # id would also flush the command's pending changes apart from its write-back.
    letter_id = db.session.connection().execute(_INSERT, {
        "case_id": case.id, "template_id": template_id, "version_id": version_id,
        "bundle_checksum": checksum, "title": title, "data": data, "html": html,
        "created_at": clock().now(), "created_by": actor}).scalar_one()
    outbox.enqueue(PDF_CHANNEL, case_id=case.id, action=COMMAND,
                   payload={"letter_id": letter_id,
                            "subject": f"Mise en page du courrier n° {letter_id} : {title}"},
                   key=_pdf_job_key(letter_id))
    # shown as « Courrier généré — courrier : « <title> », … » (web/labels.py)
    audit.record(case, LETTER_EVENT, actor, courrier=f"« {title} »", lettre=letter_id,
                 modele=template_id)
    return letter_id


def make_pdf(letter_id: int) -> bool:
    """Lay out letter `letter_id` from its stored text and store the PDF, unless it has one
    already: True when this call stored it. The layout runs outside the command (only the short
    write is one); LetterError when WeasyPrint fails (the outbox retries, a download says so)."""
    row = db.session.execute(select(Letter.html, Letter.template_id, Letter.pdf.is_(None))
                             .where(Letter.id == letter_id)).one_or_none()
    if row is None:
        raise NotFound(f"Aucun courrier n° {letter_id}.")
    html, template_id, missing = row
    if not missing:
        return False
    if html is None:  # cannot happen: a letter without text was stored with its PDF
        raise LetterError(rendering.letter_path(template_id), None, "texte du courrier absent")
    return _store_pdf(letter_id, rendering.laid_out(html, template_id))


@command
def _store_pdf(letter_id: int, pdf: bytes) -> bool:
    # the one change a letter ever sees: its PDF, where it is still empty (first one wins)
    done = db.session.execute(
        update(Letter).where(Letter.id == letter_id, Letter.pdf.is_(None))
        .values(pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), pdf_made_at=clock().now())
        .execution_options(synchronize_session=False))
    return done.rowcount == 1


def pdf_of(case_id: int, letter_id: int) -> Letter:
    """Letter `letter_id` of case `case_id` with its PDF, laid out now if the worker has not
    yet (404 when unknown or another case's; 409 in French when it cannot be laid out)."""
    letter = letter_for(case_id, letter_id)
    if letter.pdf is not None:
        return letter
    given_up = _abandoned_layout(letter_id)
    if given_up is not None:
        # the worker tried MAX_ATTEMPTS times and gave up: laying it out again at every click
        # would hold a web worker up to the layout's time limit each time, for the same refusal
        raise Conflict(f"Le courrier n° {letter_id} n'a pas pu être mis en page ({given_up}). "
                       "Un concepteur doit corriger son modèle ; un administrateur peut relancer "
                       "sa mise en page depuis « Envois différés ».")
    try:
        make_pdf(letter_id)
    except LetterError as exc:
        raise Conflict(f"Le courrier n° {letter_id} n'a pas pu être mis en page ({exc}). "
                       "Un concepteur doit corriger son modèle.") from None
    db.session.refresh(letter)  # the PDF was stored by a statement the object did not see
    return letter


def _pdf_job_key(letter_id: int) -> str:
    return f"<courrier-{letter_id}-pdf@{PDF_CHANNEL}>"


def _abandoned_layouts(letter_ids: list[int]) -> dict[int, str]:
    """{letter id: the reason} of the letters whose layout job the outbox abandoned."""
    keys = {_pdf_job_key(i): i for i in letter_ids}
    if not keys:
        return {}
    rows = db.session.execute(select(OutboxJob.key, OutboxJob.last_error).where(
        OutboxJob.key.in_(keys), OutboxJob.status == outbox.ABANDONED)).all()
    # the worker's text (workflows/errors_fr.described): the letter's own error is its end
    return {keys[r.key]: (r.last_error or "mise en page abandonnée")
            .split(f"({LetterError.__name__}) : ", 1)[-1] for r in rows}


def _abandoned_layout(letter_id: int) -> str | None:
    """The last error of the letter's layout job when the outbox abandoned it, else None."""
    return _abandoned_layouts([letter_id]).get(letter_id)


def letters_of(case_id: int) -> list[dict]:
    """The case's letters, oldest first, without their PDF; `layout_error`: why the outbox
    gave up laying one out (None otherwise)."""
    rows = db.session.execute(
        select(Letter.id, Letter.template_id, Letter.title, Letter.sha256, Letter.created_at,
               Letter.created_by).where(Letter.case_id == case_id).order_by(Letter.id)).all()
    # only the letters not laid out yet can have been given up
    given_up = _abandoned_layouts([r.id for r in rows if r.sha256 is None])
    # sha256 None: not laid out yet (the PDF is made by the worker, or at the first download)
    return [{"id": r.id, "template": r.template_id, "title": r.title, "sha256": r.sha256,
             "pdf_ready": r.sha256 is not None, "layout_error": given_up.get(r.id),
             "created_at": r.created_at, "created_by": r.created_by} for r in rows]


def letter_for(case_id: int, letter_id: int) -> Letter:
    """The letter `letter_id` of case `case_id`; 404 when unknown or another case's."""
    letter = db.session.get(Letter, letter_id)
    if letter is None or letter.case_id != case_id:
        raise NotFound(f"Aucun courrier n° {letter_id} pour le dossier n° {case_id}.")
    return letter
