"""Approved centres' records (R23): register a centre, change its record (the agrément renewed or
shortened, its name, département or email), list them, and the history of each change.

The agrément number names the centre everywhere (sessions, users, the API's paths): it is never
changed. A centre's validity may not end before a session it has planned (R23: a course is held
only under a valid agrément): those sessions are cancelled first (R36)."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select

from services import centre_access
from services.audit import jsonable
from services.clock import clock
from services.db import command, db, paginate
from services.errors import Conflict, Invalid, NotFound, sentences
from services.models import Centre, CentreEvent, CourseSession

# what a change may name; the agrément is the centre's identity
EDITABLE = ("name", "departement", "valid_until", "email")
_INSERT_EVENT = CentreEvent.__table__.insert()


ORDER = (Centre.name, Centre.agrement)

# The agrément's number (R23: the prefect of the course's département approves the centre), as
# the prefectures write it: « R », the year of the decision on 2 digits, the département on 3
# (075, 02A, 971), a serial number on 5 (R2407500010). docs/api-additions.md.
AGREMENT = re.compile(r"R\d{2}(0(0[1-9]|[1-8]\d|9[0-5]|2A|2B)|97[1-6])\d{5}")
AGREMENT_RULE = ("« R », l'année de l'arrêté sur 2 chiffres, le département sur 3 caractères "
                 "(075, 02A, 971) et un numéro sur 5 chiffres, par exemple R2407500010")
MAX_NAME = 200


def _checked(data: dict) -> dict:
    """`data` with its name trimmed; Invalid naming each bad field (the agrément's format, a
    blank name)."""
    errors = {}
    if "agrement" in data and not (isinstance(data["agrement"], str)
                                   and AGREMENT.fullmatch(data["agrement"])):
        errors["agrement"] = [f"Numéro d'agrément invalide : {AGREMENT_RULE}."]
    if "name" in data:
        name = data["name"].strip() if isinstance(data["name"], str) else ""
        if not name or len(name) > MAX_NAME:
            errors["name"] = [f"Le nom du centre est obligatoire ({MAX_NAME} caractères au plus, "
                              "des espaces seuls ne suffisent pas)."]
        data = {**data, "name": name}
    if errors:
        raise Invalid("Centre agréé invalide : " + sentences(m for ms in errors.values()
                                                              for m in ms), errors)
    return data


def list_centres() -> list[Centre]:
    return list(db.session.scalars(select(Centre).order_by(*ORDER)))


def list_page(user, page: int, per_page: int) -> tuple[list[Centre], int]:
    """The centres `user` may list (a centre operator its own one), by name, and how many."""
    return paginate(centre_access.visible_centres(user), ORDER, page, per_page)


def history(centre: Centre, limit: int = 100) -> list[CentreEvent]:
    """The centre's record changes, newest first."""
    return list(db.session.scalars(select(CentreEvent).where(CentreEvent.centre_id == centre.id)
                                   .order_by(CentreEvent.at.desc(), CentreEvent.id.desc())
                                   .limit(limit)))


@command
def create(data: dict, actor: str) -> Centre:
    data = _checked(data)
    if db.session.scalar(select(Centre.id).where(Centre.agrement == data["agrement"])):
        raise Conflict(f"Le centre agréé n° {data['agrement']} existe déjà.")
    centre = Centre(**data)
    db.session.add(centre)
    db.session.flush()
    _record(centre, "centre_cree", actor, {k: data.get(k) for k in ("agrement", *EDITABLE)})
    return centre


@command
def update(agrement: str, data: dict, actor: str) -> Centre:
    """Change the fields of `data` (any of EDITABLE; an email of None removes it). Recorded in
    the centre's history as {field: [before, after]}; a change that changes nothing records
    nothing."""
    unknown = sorted(set(data) - set(EDITABLE))
    if unknown:
        raise Invalid("Ces champs ne peuvent pas être modifiés.",
                      {name: ["Champ non modifiable."] for name in unknown})
    if not data:
        message = ("Indiquez au moins un champ à modifier : nom, département, fin de validité "
                   "de l'agrément ou adresse électronique.")
        raise Invalid(message, {"_schema": [message]})
    data = _checked(data)
    # locked: two changes of one centre, or a change and a session being declared there
    # (sessions.create reads the centre FOR SHARE), are applied one after the other
    centre = db.session.scalar(select(Centre).where(Centre.agrement == agrement)
                               .with_for_update())
    if centre is None:
        raise NotFound(f"Aucun centre agréé n° {agrement}.")
    changes = {name: [getattr(centre, name), value] for name, value in data.items()
               if getattr(centre, name) != value}
    if "valid_until" in changes:
        _check_planned_sessions(centre, data["valid_until"])
    for name, (_, value) in changes.items():
        setattr(centre, name, value)
    if changes:
        db.session.flush()
        _record(centre, "centre_modifie", actor, changes)
    return centre


def _check_planned_sessions(centre: Centre, valid_until: dt.date) -> None:
    beyond = db.session.execute(
        select(CourseSession.id, CourseSession.day2)
        .where(CourseSession.centre_id == centre.id, CourseSession.status == "planned",
               CourseSession.day2 > valid_until)
        .order_by(CourseSession.day2, CourseSession.id).limit(11)).all()
    if beyond:
        names = ", ".join(f"n° {sid} ({day2:%d/%m/%Y})" for sid, day2 in beyond[:10])
        more = " et d'autres" if len(beyond) > 10 else ""
        message = (f"L'agrément ne couvrirait plus les sessions prévues {names}{more} : "
                   "annulez-les d'abord ou choisissez une date postérieure à leur second jour "
                   "(R23).")
        raise Invalid.field("valid_until", message)


def _record(centre: Centre, type_: str, actor: str, detail: dict) -> None:
    db.session.connection().execute(_INSERT_EVENT, {
        "centre_id": centre.id, "at": clock().now(), "actor": actor, "type": type_,
        "detail": jsonable(detail, keep_none=True)})
