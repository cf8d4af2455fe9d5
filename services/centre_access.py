"""What a centre operator may reach: its own centre and that centre's sessions, nothing else.

The one place where the API and the UI check it. Everything else, whether it belongs to another
centre, to no centre or does not exist, gets the same 403 with the same detail: the status and
the message tell a centre nothing about what it may not see. Clerks and admins are unaffected
(an unknown id stays a 404 for them)."""

from __future__ import annotations

from sqlalchemy import false, select

from services.db import db
from services.errors import Forbidden, NotFound
from services.models import Centre, CourseSession

DENIED = "Cette ressource n'est pas accessible à votre centre."


def is_centre(user) -> bool:
    return user.role == "centre"


def check(user, centre_id: int | None) -> None:
    """A centre operator acts only on its own centre (a user without a centre on none)."""
    if is_centre(user) and (user.centre_id is None or user.centre_id != centre_id):
        raise Forbidden(DENIED)


def check_agrement(user, agrement: str) -> None:
    """Before looking the agrément up: a centre names its own one only, and learns nothing of
    whether another one exists."""
    if is_centre(user) and (user.centre is None or user.centre.agrement != agrement):
        raise Forbidden(DENIED)


def visible_centres(user):
    """The centres `user` may list: a centre operator its own one (none without a centre)."""
    query = select(Centre)
    if is_centre(user):
        query = query.where(Centre.id == user.centre_id if user.centre_id is not None
                            else false())
    return query


def centre_for(user, agrement: str) -> Centre:
    check_agrement(user, agrement)
    centre = db.session.scalar(select(Centre).where(Centre.agrement == agrement))
    if centre is None:
        raise NotFound(f"Aucun centre agréé n° {agrement}.")
    return centre


def session_for(user, session_id: int, *options) -> CourseSession:
    """The session if `user` may reach it; `options` are loader options (what a page shows)."""
    session = db.session.get(CourseSession, session_id, options=options)
    if session is None:
        if is_centre(user):
            raise Forbidden(DENIED)
        raise NotFound(f"Aucune session n° {session_id}.")
    check(user, session.centre_id)
    return session
