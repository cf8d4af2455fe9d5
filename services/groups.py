"""Clerks' groups (issue 14, lanes are clerk groups): a BPMN lane names a group by its code
(extension property `groupe`); the user tasks in that lane are offered to the group's members.

- Admins create groups and set each agent's groups (API, UI, CLI).
- A deployment (upload, draft, `flask processes deploy`) naming a group that does not exist is
  refused, except the shipped files, whose missing groups are created (`ensure_named`): a
  fresh database, and the scenario sandbox's, deploy them before any admin made a group.
- An agent outside a task's group cannot claim or complete it (403); admins can (they
  supervise every queue). A task with no group is open to every agent.
"""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy import false, select
from sqlalchemy.orm import selectinload

from services import admin_log
from services.admin_log import SYSTEM, group_subject, user_subject
from services.clock import clock
from services.db import command, db
from services.errors import Conflict, Forbidden, Invalid, NotFound, raise_all
from services.models import Group, HumanTask, User
from services.models.users import user_groups
from workflows import DefinitionProblem, lanes_naming_groups
from workflows.lanes import GROUP_CODE, GROUP_CODE_RULE

MAX_NAME = 120
# the roles that take tasks: an agent, and an admin (who may also take any task)
MEMBER_ROLES = ("agent", "admin")


def list_groups() -> list[Group]:
    """Every group by code, with its members (two queries whatever their number)."""
    return db.session.scalars(select(Group).order_by(Group.code)
                              .options(selectinload(Group.members))).all()


def active_members(group: Group) -> list[str]:
    """The members who may take the group's tasks: the active ones (a deactivated account
    keeps its groups for a reactivation, but takes nothing meanwhile)."""
    return [u.username for u in group.members if u.active]


def deactivated_members(group: Group) -> list[str]:
    return [u.username for u in group.members if not u.active]


def get(code: str) -> Group:
    group = db.session.scalar(select(Group).where(Group.code == code))
    if group is None:
        raise NotFound(f"Aucun groupe « {code} ».")
    return group


def check_code(code: str) -> None:
    raise_all(_code_problems(code))


def _code_problems(code: str) -> list[tuple[str, str]]:
    if not isinstance(code, str) or not GROUP_CODE.match(code):
        return [("code", f"Code de groupe invalide : {GROUP_CODE_RULE}.")]
    return []


def _name_problems(name) -> tuple[str, list[tuple[str, str]]]:
    """The name as kept (trimmed), and what is wrong with it."""
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name:
        return name, [("name", "Le nom du groupe est obligatoire.")]
    if len(name) > MAX_NAME:
        return name, [("name", f"Le nom du groupe est trop long : {MAX_NAME} caractères au "
                               f"plus ({len(name)} ici).")]
    return name, []


def _check_name(name: str) -> str:
    name, problems = _name_problems(name)
    raise_all(problems)
    return name


@command
def create(code: str, name: str, actor: str = SYSTEM) -> Group:
    name, problems = _name_problems(name)
    raise_all(_code_problems(code) + problems)  # both fields' problems at once
    if db.session.scalar(select(Group.id).where(Group.code == code)):
        raise Conflict(f"Le groupe « {code} » existe déjà.")
    group = Group(code=code, name=name, created_at=clock().now())
    db.session.add(group)
    db.session.flush()
    _forget_names()
    admin_log.record(actor, "groupe_cree", group_subject(code), code=code, name=name)
    return group


@command
def rename(code: str, name: str, actor: str = SYSTEM) -> Group:
    group = get(code)
    name = _check_name(name)
    if name != group.name:
        admin_log.record(actor, "groupe_renomme", group_subject(code), name=[group.name, name])
    group.name = name
    db.session.flush()
    _forget_names()
    return group


@command
def ensure(code: str, name: str) -> Group:
    """The group `code`, created if missing; one a shipped file's deployment created (named by
    its code, `ensure_named`) takes `name`. For the demo data."""
    group = db.session.scalar(select(Group).where(Group.code == code))
    if group is None:
        return create(code, name)
    if group.name == group.code:
        group.name = _check_name(name)
        _forget_names()
    return group


def _groups_by_code(codes: list[str], field: str = "groups") -> list[Group]:
    """The groups of `codes` (in their order, once each); Invalid naming the unknown ones."""
    wanted = list(dict.fromkeys(codes))
    for code in wanted:
        if not isinstance(code, str) or not GROUP_CODE.match(code):
            raise Invalid.field(field, f"Code de groupe invalide « {str(code)[:80]} » : "
                                f"{GROUP_CODE_RULE}.")
    found = {grp.code: grp for grp in db.session.scalars(
        select(Group).where(Group.code.in_(wanted)))} if wanted else {}
    unknown = [c for c in wanted if c not in found]
    if unknown:
        raise Invalid.field(field, "Groupe(s) inconnu(s) : " + ", ".join(
            f"« {c} »" for c in unknown) + ".")
    return [found[c] for c in wanted]


def check_member_role(user: User, codes: list[str]) -> None:
    if codes and user.role not in MEMBER_ROLES:
        raise Invalid.field("groups", f"Seuls les agents (et les administrateurs) font partie "
                            f"de groupes ; « {user.username} » a le rôle « {user.role} ».")


def assign(user: User, codes: list[str]) -> None:
    """Make `codes` the groups of `user` (in the caller's command)."""
    check_member_role(user, codes)
    user.groups = _groups_by_code(codes)


@command
def set_user_groups(username: str, codes: list[str], actor: str = SYSTEM) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"Aucun utilisateur « {username} ».")
    before = [grp.code for grp in user.groups]
    assign(user, codes)
    after = [grp.code for grp in user.groups]
    if sorted(before) != sorted(after):
        admin_log.record(actor, "groupes_utilisateur", user_subject(username),
                         groups=[before, after])
    db.session.flush()
    return user


def possible_members() -> list[User]:
    """The active agents and admins, by name, with their groups (two queries)."""
    return db.session.scalars(select(User).where(User.role.in_(MEMBER_ROLES),
                                                 User.active.is_(True))
                              .order_by(User.username)
                              .options(selectinload(User.groups))).all()


def user_codes(user: User) -> list[str]:
    """The codes of the groups `user` belongs to (one small query)."""
    return list(db.session.scalars(
        select(Group.code).join(user_groups, user_groups.c.group_id == Group.id)
        .where(user_groups.c.user_id == user.id).order_by(Group.code)))


def in_my_groups(user: User):
    """The task list's condition « mes groupes »: the tasks offered to one of `user`'s groups
    (not those open to every agent, which the whole list shows), read in the list's order on
    ix_human_tasks_group_due (migration 0013_groups)."""
    codes = user_codes(user)
    return HumanTask.group_code.in_(codes) if codes else false()


def names() -> dict[str, str]:
    """Code → name of every group, read once per request (a task page names each task's
    group without a query per row); read afresh outside a request."""
    store = request.environ if has_request_context() else {}
    cached = store.get(_NAMES_KEY)
    if cached is None:
        cached = store[_NAMES_KEY] = dict(db.session.execute(
            select(Group.code, Group.name)).all())
    return cached


_NAMES_KEY = "app.group_names"


def _forget_names() -> None:
    if has_request_context():
        request.environ.pop(_NAMES_KEY, None)


def name_of(code: str | None) -> str | None:
    return None if code is None else names().get(code, code)


def check_may_take(task: HumanTask, user: User) -> None:
    """Forbidden (403, French) when `user` may not claim or complete `task`: it is offered to
    a group `user` is not in. Tasks with no group, and admins, pass."""
    if task.group_code is None or user.role == "admin":
        return
    if task.group_code in user_codes(user):
        return
    raise Forbidden(f"Cette tâche est proposée au groupe « {name_of(task.group_code)} » ; "
                    "vous n'en faites pas partie.")


# ---- the groups a process definition names --------------------------------------------------

def definition_problems(xml: bytes) -> list[DefinitionProblem]:
    """A problem on each lane naming a group that does not exist (one query)."""
    named = lanes_naming_groups(xml)
    if not named:
        return []
    codes = {lane.group for lane in named}
    known = set(db.session.scalars(select(Group.code).where(Group.code.in_(codes))))
    return [DefinitionProblem(lane.id, lane.line,
                              f"{lane.kind} « {lane.name[:80]} » nomme le groupe "
                              f"« {lane.group} », qui n'existe pas")
            for lane in named if lane.group not in known]


def ensure_named(xml: bytes) -> list[str]:
    """Create the groups a (shipped) definition names that do not exist yet, named by their
    code until an admin renames them; the codes created. In the caller's command."""
    named = lanes_naming_groups(xml)
    codes = sorted({lane.group for lane in named})
    if not codes:
        return []
    known = set(db.session.scalars(select(Group.code).where(Group.code.in_(codes))))
    created = [c for c in codes if c not in known]
    for code in created:
        db.session.add(Group(code=code, name=code, created_at=clock().now()))
    if created:
        db.session.flush()
        _forget_names()
    return created


# The clerks' groups as a file beside the shipped definitions: the scenario sandbox writes the
# application's groups there, so that a draft's scenarios know the groups a designer's decision
# table or `affecter_groupe` action may name, not only those its lanes name.
GROUPS_FILE = "groupes.json"


def as_listed() -> list[dict]:
    return [{"code": g.code, "name": g.name} for g in list_groups()]


def ensure_listed(path) -> list[str]:
    """Create the groups a GROUPS_FILE lists that do not exist yet; the codes created. In the
    caller's command. A missing file lists nothing."""
    import json

    try:
        listed = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    created = []
    for item in listed:
        if db.session.scalar(select(Group.id).where(Group.code == item["code"])) is None:
            created.append(create(item["code"], item["name"]).code)
    return created

