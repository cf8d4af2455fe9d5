"""Bearer-token authentication and role checks for the REST API."""

from __future__ import annotations

from functools import wraps

from flask import request, session

from services import users
from services.db import db
from services.errors import Forbidden, ServiceError
from services.models import User


class Unauthorized(ServiceError):
    status = 401
    title = "Authentification requise"


def current_user():
    """The caller of this request (cached on the request, never on the app context)."""
    if "app.user" in request.environ:
        return request.environ["app.user"]
    user = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        user = users.user_for_token(header[len("Bearer "):].strip())
    elif session.get("user_id"):
        user = db.session.get(User, session["user_id"])
    request.environ["app.user"] = user
    return user


def require(*roles: str):
    """Allow the listed roles (admin is always allowed)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user is None:
                raise Unauthorized("Jeton d'accès absent ou invalide "
                                   "(en-tête Authorization: Bearer <jeton>).")
            if user.role != "admin" and user.role not in roles:
                raise Forbidden(f"Le rôle « {user.role} » ne permet pas cette action.")
            return view(*args, **kwargs)

        return wrapper

    return decorator
