from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import UTCDateTime, db

ROLES = ("agent", "designer", "centre", "admin")


class User(db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("centres.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at = mapped_column(UTCDateTime(), nullable=False)
    # the last login through the pages (None: none since migration user_last_login)
    last_login_at = mapped_column(UTCDateTime(), nullable=True)

    centre = relationship("Centre")
    groups = relationship("Group", secondary="user_groups", order_by="Group.code",
                          back_populates="members")


# A clerks' group (issue 14): a BPMN lane names one by its code (extension property `groupe`),
# and a task in that lane is offered to its members only (services/groups.py).
class Group(db.Model):
    __tablename__ = "groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at = mapped_column(UTCDateTime(), nullable=False)

    members = relationship("User", secondary="user_groups", order_by="User.username",
                           back_populates="groups")


user_groups = Table(
    "user_groups", db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("group_id", ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True,
           index=True),
)


class ApiToken(db.Model):
    """Only the SHA-256 of a token is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at = mapped_column(UTCDateTime(), nullable=False)

    user = relationship("User")


class LoginSession(db.Model):
    """A browser session: the signed cookie carries only a random id, whose SHA-256 is stored
    here. Deleting the row ends the session at once (logout, deactivation, a new password or
    role); it also lapses when idle too long or too old (services/users.py)."""

    __tablename__ = "login_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at = mapped_column(UTCDateTime(), nullable=False)
    last_seen_at = mapped_column(UTCDateTime(), nullable=False)
