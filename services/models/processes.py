from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.db import UTCDateTime, db


class ProcessVersion(db.Model):
    """One deployed BPMN version: source stored once, parsed spec cached per process."""

    __tablename__ = "process_versions"
    __table_args__ = (UniqueConstraint("key", "version", name="uq_process_versions_key_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int]
    xml: Mapped[bytes] = mapped_column(LargeBinary)
    checksum: Mapped[str] = mapped_column(String(64))
    deployed_by: Mapped[str] = mapped_column(String(80))
    deployed_at = mapped_column(UTCDateTime(), nullable=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Deployed from a designer's draft (null for a direct upload or a shipped file), and who
    # forced it past failing scenarios, why.
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("process_drafts.id"), unique=True)
    override_by: Mapped[str | None] = mapped_column(String(80))
    override_reason: Mapped[str | None] = mapped_column(Text)
    # the bundle's files other than the BPMN: {"forms/<id>.form": form-js JSON text}
    files: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))

    draft = relationship("ProcessDraft", back_populates="deployed_version")


class ProcessInstance(db.Model):
    """One case's engine state as JSON without the spec, plus indexed projections."""

    __tablename__ = "process_instances"
    __table_args__ = (Index("ix_process_instances_due", "next_timer_due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    state_json: Mapped[str] = mapped_column(Text)
    completed: Mapped[bool] = mapped_column(default=False)
    next_timer_due_at = mapped_column(UTCDateTime())
    timers: Mapped[list] = mapped_column(JSON, default=list)  # [{"name", "due_at"}] for display
    lock_version: Mapped[int] = mapped_column(default=1)
    updated_at = mapped_column(UTCDateTime(), nullable=False)

    __mapper_args__ = {"version_id_col": lock_version}

    case = relationship("Case", back_populates="instance")
    version = relationship("ProcessVersion")


class HumanTask(db.Model):
    """Projection of the READY user tasks of an instance, for the tasklist."""

    __tablename__ = "human_tasks"
    __table_args__ = (Index("ix_human_tasks_state_key", "state", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    guid: Mapped[str] = mapped_column(String(40), unique=True)
    # key, state and assignee are counted in task_counters (services/task_counters.py): their
    # old value is loaded when one is set, so that the flush knows which counter to move
    key: Mapped[str] = mapped_column(String(80), active_history=True)
    title: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(12), default="open",  # open|completed|cancelled
                                       active_history=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True,
                                                    active_history=True)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    # the reminders (non-interrupting boundary timers) that fired on the task: how many, last
    reminders: Mapped[int] = mapped_column(default=0, server_default="0")
    reminded_at = mapped_column(UTCDateTime())
    data: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime(), nullable=False)
    completed_at = mapped_column(UTCDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(80))
    # the code of the clerks' group its lane offers it to (issue 14); null: open to every agent
    group_code: Mapped[str | None] = mapped_column(String(40))

    assignee = relationship("User")
    case = relationship("Case")


class TaskCounter(db.Model):
    """How many task rows have each (key, assignee, state): the task lists' totals and the
    dashboard's counters read these few rows instead of counting the tasks. Kept in the
    transaction that writes the task rows (services/task_counters.py); `assignee_id` 0 is
    nobody (a primary key has no NULL)."""

    __tablename__ = "task_counters"
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    assignee_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    state: Mapped[str] = mapped_column(String(12), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


# The task list (API and UI) shows open tasks by due date, undated ones last, then by id
# (R39, D4): these indexes serve that order, with or without a key filter, and the creation
# sort, so a page is read in index order however many tasks are open (migration 0003).
Index("ix_human_tasks_open_due", HumanTask.state, HumanTask.due_on.is_(None), HumanTask.due_on,
      HumanTask.id)
Index("ix_human_tasks_key_due", HumanTask.state, HumanTask.key, HumanTask.due_on.is_(None),
      HumanTask.due_on, HumanTask.id)
Index("ix_human_tasks_open_created", HumanTask.state, HumanTask.created_at, HumanTask.id)
# « mes groupes »: the open tasks of a group in the list's order (migration 0013_groups)
Index("ix_human_tasks_group_due", HumanTask.state, HumanTask.group_code,
      HumanTask.due_on.is_(None), HumanTask.due_on, HumanTask.id)


class Incident(db.Model):
    """A command that the deployed process version could not run on a case (a bound of the
    restricted environment hit, an error in a script, a condition or a timer): the command was
    rolled back and this row says where and why, for designers and admins. `case_id` is null
    when the case's creation itself failed. Repeats of the same open incident are counted, not
    stored again."""

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_open", "resolved", "id"),
                      Index("ix_incidents_case_open", "case_id", "resolved"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    element_id: Mapped[str | None] = mapped_column(String(200))
    command: Mapped[str] = mapped_column(String(60))
    message: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(80))
    at = mapped_column(UTCDateTime(), nullable=False)
    last_at = mapped_column(UTCDateTime(), nullable=False)
    occurrences: Mapped[int] = mapped_column(default=1)
    resolved: Mapped[bool] = mapped_column(default=False)
    resolved_at = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(80))

    version = relationship("ProcessVersion")


# the statistics' open tasks by task and age (migration 0008_stats)
Index("ix_human_tasks_state_key_created", HumanTask.state, HumanTask.key, HumanTask.created_at)
