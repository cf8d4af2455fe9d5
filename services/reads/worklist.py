"""The clerks' work list: open tasks (filtered, sorted, paged), cases near their 4-month
deadline, late attestations and the deadlines of the coming weeks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from services import groups, outcome, statuses, task_counters
from services.db import db, paginate
from services.models import Case, HumanTask

NEAR_DAYS = 30


# What a row of the pages' lists shows, read with the page instead of one query per row: a
# task's case, holder and assignee; a case's holder. (The
# joins are left out of the pages' count subqueries.)
TASK_ROW = (joinedload(HumanTask.case, innerjoin=True).joinedload(Case.licence, innerjoin=True),
            joinedload(HumanTask.assignee))


CASE_ROW = (joinedload(Case.licence, innerjoin=True),)


SORTS = {
    "echeance": (HumanTask.due_on.is_(None), HumanTask.due_on, HumanTask.id),
    "-echeance": (HumanTask.due_on.is_(None), HumanTask.due_on.desc(), HumanTask.id),
    "creation": (HumanTask.created_at, HumanTask.id),
    "-creation": (HumanTask.created_at.desc(), HumanTask.id.desc()),
}


def task_page(user, scope: str = "", key: str = "", due_before: dt.date | None = None,
              sort: str = "echeance", page: int = 1, per_page: int = 20):
    """Open tasks; scope '' (all), 'mine', 'unassigned' or 'groupes' (offered to one of the
    user's groups). The total comes from the task counters (a constant cost whatever the
    number of tasks), except with `due_before` or 'groupes', which they do not split: those
    are counted (an index range of the open tasks)."""
    total = None if due_before or scope == "groupes" else task_counters.count(
        state="open", key=key or None, assignee_id=user.id if scope == "mine" else None,
        unassigned=scope == "unassigned")
    return paginate(*task_query(user, scope, key, due_before, sort), page, per_page, total)


def task_kinds() -> dict[str, str]:
    """The task list's « Type de tâche » choices (key → title): the contract's tasks, then the
    other keys of the open tasks (a task a designer drew), titled as one of them is."""
    kinds = dict(statuses.TASK_TITLES)
    others = [key for key in task_counters.open_keys() if key not in kinds]
    if others:  # one statement for all of them (the task list's page reads this each time)
        titles = dict(db.session.execute(
            select(HumanTask.key, func.min(HumanTask.title))
            .where(HumanTask.state == "open", HumanTask.key.in_(others))
            .group_by(HumanTask.key)).all())
        kinds.update((key, titles.get(key) or key) for key in others)
    return kinds


def task_query(user, scope: str = "", key: str = "", due_before: dt.date | None = None,
               sort: str = "echeance"):
    """The task list's query and its order (the page, and its export: every row)."""
    query = select(HumanTask).options(*TASK_ROW).where(HumanTask.state == "open")
    if scope == "mine":
        query = query.where(HumanTask.assignee_id == user.id)
    elif scope == "unassigned":
        query = query.where(HumanTask.assignee_id.is_(None))
    elif scope == "groupes":
        query = query.where(groups.in_my_groups(user))
    if key:
        query = query.where(HumanTask.key == key)
    if due_before:
        query = query.where(HumanTask.due_on <= due_before)
    # "echeance" and the creation sorts follow the indexes of migration 0003
    return query, SORTS.get(sort, SORTS["echeance"])


def deadline_cases(today: dt.date, limit: int = 10):
    """Open mandatory cases whose 4-month deadline is passed or within NEAR_DAYS days, and
    still matters: no course met it yet (outcome.deadline_open_clause, as the case page)."""
    query = (select(Case).options(*CASE_ROW)
             .where(Case.closed.is_(False), Case.deadline.is_not(None),
                    Case.deadline <= today + dt.timedelta(days=NEAR_DAYS),
                    Case.obligation.in_(("pending", "manual_review")),
                    outcome.deadline_open_clause()))
    return paginate(query, (Case.deadline, Case.id), 1, limit)


def late_attestations(today: dt.date, limit: int = 10):
    """Crediting tasks still open after the one-month deadline (R39, D4)."""
    query = (select(HumanTask).options(*TASK_ROW)
             .where(HumanTask.state == "open",
                    HumanTask.key.in_(statuses.CREDITING_TASKS),
                    HumanTask.due_on < today))
    return paginate(query, (HumanTask.due_on, HumanTask.id), 1, limit)


def deadlines_per_week(today: dt.date, weeks: int = 8) -> dict:
    """Upcoming deadlines per week (Monday-based): 4-month deadlines and crediting deadlines."""
    monday = today - dt.timedelta(days=today.weekday())
    end = monday + dt.timedelta(weeks=weeks)
    starts = [monday + dt.timedelta(weeks=i) for i in range(weeks)]
    case_days = db.session.scalars(select(Case.deadline).where(
        Case.closed.is_(False), Case.deadline >= today, Case.deadline < end,
        Case.obligation.in_(("pending", "manual_review")))).all()
    task_days = db.session.scalars(select(HumanTask.due_on).where(
        HumanTask.state == "open", HumanTask.due_on >= today, HumanTask.due_on < end)).all()

    def per_week(days):
        counts = [0] * weeks
        for d in days:
            counts[(d - monday).days // 7] += 1
        return counts

    return {"weeks": starts, "deadlines": per_week(case_days), "credits": per_week(task_days)}
