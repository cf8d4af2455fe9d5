"""Users, password hashes and API tokens (only a token's SHA-256 is stored)."""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from services.clock import clock
from services.db import db
from services.errors import Conflict, Invalid, NotFound
from services.models import ApiToken, Centre, User
from services.models.users import ROLES


def create(username: str, role: str, password: str, centre_agrement: str | None = None) -> User:
    if role not in ROLES:
        raise Invalid.field("role", f"Rôle inconnu « {role} » (attendu : {', '.join(ROLES)}).")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(f"L'utilisateur « {username} » existe déjà.")
    if len(password) < 8:
        raise Invalid.field("password", "Le mot de passe doit compter au moins 8 caractères.")
    centre = None
    if role == "centre":
        if not centre_agrement:
            raise Invalid.field("centre", "Un utilisateur de centre doit être rattaché à un centre "
                                "(--centre AGREMENT).")
        centre = db.session.scalar(select(Centre).where(Centre.agrement == centre_agrement))
        if centre is None:
            raise Invalid.field("centre", f"Centre agréé inconnu : {centre_agrement}.")
    user = User(username=username, role=role, centre=centre, active=True,
                password_hash=generate_password_hash(
                    password, method=current_app.config["PASSWORD_HASH_METHOD"]),
                created_at=clock().now())
    db.session.add(user)
    db.session.flush()
    return user


def get_by_name(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"Utilisateur inconnu : {username}.")
    return user


def check_password(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), created_at=clock().now()))
    return token


def user_for_token(token: str) -> User | None:
    user = db.session.scalar(select(User).join(ApiToken, ApiToken.user_id == User.id)
                             .where(ApiToken.token_hash == _digest(token)))  # one query
    if user is None or not user.active:
        return None
    return user
