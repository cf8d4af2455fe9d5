"""Users, password hashes, API tokens and browser login sessions (only the SHA-256 of a token
or of a session id is stored).

Deactivating a user, changing their password or their role ends every browser session of theirs
at once. API tokens: deactivation and a new password revoke them (a new password answers a
suspected leak; `flask users token` issues a new one); a role change keeps them, since the role is
read from the user on every request.

The same functions serve the command line (`flask users …`, actor `cli:<account>`) and the admins'
pages (web/ui/user_pages.py, actor the admin's username), with the same rules and the same entries
in the admins' journal. Nobody deactivates their own account, and the last active admin can be
neither deactivated nor given another role: someone must stay able to manage the users from the
pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from services import admin_log, groups
from services.admin_log import SYSTEM, user_subject
from services.clock import clock
from services.db import LIKE_ESCAPE, command, contains_pattern, db, in_command, paginate
from services.errors import Conflict, Invalid, NotFound
from services.models import ApiToken, Centre, LoginSession, User
from services.models.users import ROLES
from services.settings import setting

# A login name: typed at every login and shown in every history, so plain and unambiguous.
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,39}")
USERNAME_RULE = ("de 2 à 40 caractères : lettres minuscules sans accent, chiffres, « . », « _ » "
                 "ou « - », commençant par une lettre ou un chiffre")


def check_username(username: object) -> None:
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        raise Invalid.field("username", f"Nom d'utilisateur invalide « {str(username)[:80]} » : "
                            f"{USERNAME_RULE}.")


@command
def create(username: str, role: str, password: str, centre_agrement: str | None = None,
           group_codes: list[str] | tuple[str, ...] = (), actor: str = SYSTEM) -> User:
    check_username(username)
    if role not in ROLES:
        raise Invalid.field("role", f"Rôle inconnu « {role} » (attendu : {', '.join(ROLES)}).")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(f"L'utilisateur « {username} » existe déjà.")
    _check_password_rules(password)
    centre = _centre_for(role, centre_agrement)
    user = User(username=username, role=role, centre=centre, active=True,
                password_hash=_hash(password), created_at=clock().now())
    if group_codes:  # checked before anything is stored (issue 14: lanes are clerk groups)
        groups.assign(user, list(group_codes))
    db.session.add(user)
    db.session.flush()
    admin_log.record(actor, "utilisateur_cree", user_subject(username), role=role,
                     centre=centre.agrement if centre else None, groups=list(group_codes))
    return user


MIN_PASSWORD = 8
# the generated passwords' letters: no 0/o, 1/l/i, easy to read out and to type
_GENERATED_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid.field("password", f"Le mot de passe doit compter au moins {MIN_PASSWORD} "
                            "caractères.")


def generate_password() -> str:
    """A random password for an admin to hand over (shown once, never stored in clear):
    four groups of four letters and digits, about 79 bits."""
    letters = "".join(secrets.choice(_GENERATED_ALPHABET) for _ in range(16))
    password = "-".join(letters[i:i + 4] for i in range(0, 16, 4))
    _check_password_rules(password)
    return password


def _hash(password: str) -> str:
    return generate_password_hash(password, method=setting("PASSWORD_HASH_METHOD"))


def _centre_for(role: str, centre_agrement: str | None) -> Centre | None:
    """A centre user belongs to one centre; no other role has one (a centre given with another
    role is refused, not silently dropped)."""
    if role != "centre":
        if centre_agrement is not None:
            raise Invalid.field("centre", f"Seul un utilisateur de rôle centre est rattaché à un "
                                f"centre : pas de centre avec le rôle {role}.")
        return None
    if not centre_agrement:
        raise Invalid.field("centre", "Un utilisateur de centre doit être rattaché à un centre "
                            "agréé.")
    centre = db.session.scalar(select(Centre).where(Centre.agrement == centre_agrement))
    if centre is None:
        raise Invalid.field("centre", f"Centre agréé inconnu : {centre_agrement}.")
    return centre


def _keep_an_admin(user: User, what: str) -> None:
    """Conflict when `user` is the last active admin, whom `what` (French: « désactiver »,
    « changer le rôle de ») would remove. The active admins' rows are locked (PostgreSQL, in id
    order) so that two admins removing each other at once cannot both pass; SQLite runs one
    writer at a time."""
    if user.role != "admin" or not user.active:
        return
    admins = db.session.scalars(select(User.id).where(User.role == "admin",
                                                      User.active.is_(True))
                                .order_by(User.id).with_for_update()).all()
    if not [uid for uid in admins if uid != user.id]:
        raise Conflict(f"Impossible de {what} « {user.username} » : c'est le dernier "
                       "administrateur actif. Créez ou réactivez d'abord un autre administrateur.")


@command
def set_active(username: str, active: bool, actor: str = SYSTEM) -> User:
    """Deactivate (or reactivate) a user; deactivation ends their sessions and revokes their
    API tokens. Nobody deactivates their own account (`actor` is their username), nor the last
    active admin."""
    user = get_by_name(username)
    if not active and user.active:
        if actor == username:
            raise Conflict("Vous ne pouvez pas désactiver votre propre compte : demandez-le à un "
                           "autre administrateur.")
        _keep_an_admin(user, "désactiver")
    if user.active != active:
        admin_log.record(actor, "utilisateur_reactive" if active else "utilisateur_desactive",
                         user_subject(username), active=[user.active, active])
    user.active = active
    if not active:
        end_sessions(user)
        _revoke_tokens(user)
    return user


@command
def set_password(username: str, password: str, actor: str = SYSTEM) -> User:
    """A new password ends the user's sessions and revokes their API tokens."""
    user = get_by_name(username)
    _check_password_rules(password)
    user.password_hash = _hash(password)
    admin_log.record(actor, "mot_de_passe_change", user_subject(username))  # never the hash
    end_sessions(user)
    _revoke_tokens(user)
    return user


@command
def set_role(username: str, role: str, centre_agrement: str | None = None,
             actor: str = SYSTEM) -> User:
    """A new role (and centre) ends the user's sessions; their API tokens stay (the role is read
    on every request). The last active admin keeps the role."""
    if role not in ROLES:
        raise Invalid.field("role", f"Rôle inconnu « {role} » (attendu : {', '.join(ROLES)}).")
    user = get_by_name(username)
    centre = _centre_for(role, centre_agrement)
    if role != "admin":
        _keep_an_admin(user, "changer le rôle de")
    changes = {name: [before, after] for name, before, after in (
        ("role", user.role, role),
        ("centre", user.centre.agrement if user.centre else None,
         centre.agrement if centre else None)) if before != after}
    if role not in groups.MEMBER_ROLES and user.groups:
        # only agents (and admins) are in groups: a designer or a centre account leaves them
        changes["groups"] = [[grp.code for grp in user.groups], []]
        user.groups = []
    if changes:
        admin_log.record(actor, "utilisateur_role", user_subject(username), **changes)
    user.centre = centre
    user.role = role
    end_sessions(user)
    return user


def _revoke_tokens(user: User) -> None:
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))


def get_by_name(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"Utilisateur inconnu : {username}.")
    return user


def list_users(page: int, per_page: int, text: str = "", role: str | None = None,
               active: bool | None = None) -> tuple[list[User], int]:
    """One page of the users by name, with their centre and groups (three queries whatever
    their number, and the count): `text` anywhere in the username, one role, active or not."""
    query = select(User)
    if text:
        query = query.where(User.username.like(contains_pattern(text.casefold()),
                                               escape=LIKE_ESCAPE))
    if role:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.active.is_(active))
    query = query.options(selectinload(User.centre), selectinload(User.groups))
    return paginate(query, (User.username,), page, per_page)


def access_counts(user: User) -> tuple[int, int]:
    """How many live browser sessions and API tokens `user` has (what a deactivation, a new
    password or a new role ends)."""
    idle, absolute = _lapse_cutoffs(_now())
    sessions = db.session.scalar(select(func.count()).select_from(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.last_seen_at >= idle,
        LoginSession.created_at >= absolute))
    tokens = db.session.scalar(select(func.count()).select_from(ApiToken)
                               .where(ApiToken.user_id == user.id))
    return sessions, tokens


def check_password(username: str, password: str) -> User | None:
    """The active user with this password, or None. The password is hashed whether the user
    exists or not (a dummy hash for an unknown name), so the answer takes the same time and does
    not tell which usernames exist."""
    user = db.session.scalar(select(User).where(User.username == username))
    matches = check_password_hash(user.password_hash if user is not None else _dummy_hash(),
                                  password)
    if user is None or not matches or not user.active:
        return None
    return user


def _dummy_hash() -> str:
    """A hash of a random password with the configured method, made once per application."""
    method = setting("PASSWORD_HASH_METHOD")
    cache = current_app.extensions.setdefault("users.dummy_hash", {})
    if method not in cache:
        cache[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    return cache[method]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@command
def new_token(user: User, actor: str = SYSTEM) -> str:
    """A new API token. Refused for a deactivated user: it would answer 401 until a
    reactivation, which is meant to come without tokens (`users activate`)."""
    if not user.active:
        raise Conflict(f"« {user.username} » est désactivé : aucun jeton d'API ne lui est "
                       f"délivré ; réactivez-le d'abord (users activate {user.username}).")
    token = secrets.token_urlsafe(32)
    admin_log.record(actor, "jeton_cree", user_subject(user.username))  # never the token
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), created_at=clock().now()))
    return token


def user_for_token(token: str) -> User | None:
    user = db.session.scalar(select(User).join(ApiToken, ApiToken.user_id == User.id)
                             .where(ApiToken.token_hash == _digest(token)))  # one query
    if user is None or not user.active:
        return None
    return user


# ---- browser login sessions ------------------------------------------------------------------

SESSION_TOUCH = dt.timedelta(minutes=1)  # last_seen_at is written at most once a minute


def _now() -> dt.datetime:
    """Sessions lapse by the real time, never by the application's (possibly manual) time."""
    return clock().system_now().astimezone(dt.UTC)


def _lapse_cutoffs(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    config = current_app.config
    return now - config["SESSION_IDLE_TIMEOUT"], now - config["SESSION_ABSOLUTE_LIFETIME"]


@command
def open_session(user: User) -> str:
    """A new login session for `user`; returns its id, for the signed cookie. The user's lapsed
    sessions are deleted on the way (only theirs: concurrent logins of different users never
    contend for the same rows)."""
    now = _now()
    idle, absolute = _lapse_cutoffs(now)
    db.session.execute(delete(LoginSession).where(
        LoginSession.user_id == user.id,
        or_(LoginSession.last_seen_at < idle, LoginSession.created_at < absolute)))
    session_id = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=_digest(session_id), created_at=now,
                                last_seen_at=now))
    user.last_login_at = now  # kept after the session ends: the admins' list shows it
    return session_id


def user_for_session(session_id: str) -> tuple[User | None, bool]:
    """The active user of a live session, and whether its last_seen_at is due for an update."""
    row = db.session.execute(
        select(User, LoginSession).join(LoginSession, LoginSession.user_id == User.id)
        .where(LoginSession.token_hash == _digest(session_id))).first()  # one query
    if row is None:
        return None, False
    user, login = row
    now = _now()
    idle, absolute = _lapse_cutoffs(now)
    if not user.active or login.last_seen_at < idle or login.created_at < absolute:
        return None, False
    return user, login.last_seen_at < now - SESSION_TOUCH


def restart_idle_timer(session_id: str) -> None:
    """A stale session's idle timer restarts, in a command of its own: never inside another
    command, nor over a caller's unsaved changes, which it would commit."""
    if in_command() or db.session.new or db.session.dirty or db.session.deleted:
        return
    touch_session(session_id)


@command
def touch_session(session_id: str) -> None:
    db.session.execute(update(LoginSession).where(LoginSession.token_hash == _digest(session_id))
                       .values(last_seen_at=_now()))


@command
def end_session(session_id: str) -> None:
    db.session.execute(delete(LoginSession)
                       .where(LoginSession.token_hash == _digest(session_id)))


def end_sessions(user: User) -> None:
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
