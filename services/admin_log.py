"""The admins' journal (admin_events): the actions on users, their API tokens, the clerks'
groups and their members, the manual clock and the outbox, which no case or centre history
holds. Who (a username; `cli:<system account>` from the command line; `systeme` for the demo
data and internal set-up), when (the real time, even under a manual clock, which is itself one
of the things recorded), what, and each change as {field: [before, after]}. A change that
changes nothing records nothing.

Written like the case history (services/audit.py): one Core INSERT in the command's
transaction, rolled back with it."""

from __future__ import annotations

from sqlalchemy import select

from services.audit import jsonable
from services.clock import clock
from services.db import db, paginate
from services.models import AdminEvent

SYSTEM = "systeme"  # internal callers: the demo data, a sandbox's set-up

# type → French label (the journal's page, and the API's documentation)
LABELS = {
    "utilisateur_cree": "Utilisateur créé",
    "utilisateur_role": "Rôle changé",
    "utilisateur_desactive": "Utilisateur désactivé",
    "utilisateur_reactive": "Utilisateur réactivé",
    "mot_de_passe_change": "Mot de passe changé",
    "jeton_cree": "Jeton d'API créé",
    "groupe_cree": "Groupe créé",
    "groupe_renomme": "Groupe renommé",
    "groupes_utilisateur": "Groupes d'un utilisateur",
    "horloge_reglee": "Horloge réglée",
    "envoi_relance": "Envoi relancé",
}

# the types whose detail holds plain values; every other type's lists are [before, after]
CREATIONS = ("utilisateur_cree", "groupe_cree")

_INSERT = AdminEvent.__table__.insert()


def user_subject(username: str) -> str:
    return f"utilisateur:{username}"


def group_subject(code: str) -> str:
    return f"groupe:{code}"


def record(actor: str, type_: str, subject: str, **detail) -> None:
    """Add one entry, in the current command's transaction."""
    assert type_ in LABELS, type_
    db.session.connection().execute(_INSERT, {
        "at": clock().system_now(), "actor": actor[:80], "type": type_,
        "subject": subject[:120], "detail": jsonable(detail, keep_none=True)})


def list_events(page: int, per_page: int, type_: str | None = None,
                subject: str | None = None) -> tuple[list[AdminEvent], int]:
    """One page of the journal, newest first, optionally of one type and/or one subject."""
    query = select(AdminEvent)
    if type_:
        query = query.where(AdminEvent.type == type_)
    if subject:
        query = query.where(AdminEvent.subject == subject)
    return paginate(query, (AdminEvent.at.desc(), AdminEvent.id.desc()), page, per_page)
