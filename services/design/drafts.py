"""Drafts: what the designers' editor saves. A draft is never live; deploying one makes a new
version, gated on its latest scenario test run (an admin may force it, with a reason)."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import func, select
from sqlalchemy.orm import defer, selectinload

from services import bundles, processes
from services.clock import clock
from services.db import command, db, paginate
from services.design import process_history, scenario_runs
from services.errors import Conflict, Forbidden, Invalid, NotFound
from services.models import DraftTestRun, ProcessDraft, ProcessVersion
from workflows import check_document, definition_warnings
from workflows.diff import diff_bundles


@command
def save(key: str, xml: bytes, based_on: int | None, actor: str,
         files: dict | None = None, from_draft: int | None = None) -> ProcessDraft:
    """Store the bundle (`xml` and its `files`; a raw BPMN, `files` None, keeps the forms of the
    version it is based on that it references) as a draft of `key` (a new process when `key`
    has no version yet), with its problems; refuse (422, nothing stored) bytes that are not
    safe, well-formed BPMN XML. `from_draft`: the draft the editor opened, whose files (its
    letters, forms and tables) stand for the base's, so that what was edited on that draft's
    page and is not sent again is kept."""
    processes.check_key(key)
    source = _source_draft(key, from_draft) if from_draft is not None else None
    if based_on is None and source is not None:
        based_on = source.based_on
    latest = processes.latest_version(key)
    if based_on is None:
        based_on = latest.version if latest is not None else None
        base = latest
    else:
        base = processes.get_version(key, based_on, field="based_on")
    unsafe = check_document(xml)
    if unsafe:
        raise processes.refuse(key, unsafe)
    base_files = source.files if source is not None else (base.files if base else None)
    files = processes.inherited_files(xml, files, base_files)
    problems = processes.definition_problems(key, xml, files)
    draft = ProcessDraft(key=key, based_on=based_on, xml=xml, files=files,
                         checksum=bundles.checksum(xml, files), valid=not problems,
                         problems=[asdict(p) for p in problems], created_by=actor,
                         created_at=clock().now())
    db.session.add(draft)
    db.session.flush()
    process_history.record(key, process_history.DRAFT_SAVED, actor, draft=draft.id,
                           based_on=based_on, valid=draft.valid, problems=len(problems),
                           **({"from_draft": from_draft} if from_draft is not None else {}))
    return draft


def _source_draft(key: str, draft_id: int) -> ProcessDraft:
    """The draft an editor's save starts from: one of `key` (422 on `from_draft` otherwise)."""
    draft = db.session.get(ProcessDraft, draft_id)
    if draft is None or draft.key != key:
        raise Invalid.field("from_draft", f"Aucun brouillon n° {draft_id} du processus "
                            f"« {key} ».")
    return draft


def get(draft_id: int) -> ProcessDraft:
    draft = db.session.get(ProcessDraft, draft_id)
    if draft is None:
        raise NotFound(f"Aucun brouillon n° {draft_id}.")
    return draft


def list_drafts(key: str, page: int, per_page: int) -> tuple[list[dict], int]:
    """One page of `key`'s drafts, newest first, as views: the drafts without their XML, then
    their latest test runs, the versions they became and the process's newest version (which
    of them it is identical to), a query each whatever the page size."""
    query = (select(ProcessDraft).where(ProcessDraft.key == key)
             .options(defer(ProcessDraft.xml),
                      selectinload(ProcessDraft.deployed_version).load_only(
                          ProcessVersion.version, ProcessVersion.draft_id)))
    items, total = paginate(query, (ProcessDraft.id.desc(),), page, per_page)
    runs = _latest_runs([d.id for d in items])
    live = _live(key)
    return [_view(d, runs.get(d.id), live) for d in items], total


def _live(key: str) -> tuple[int, str] | None:
    """(number, checksum) of `key`'s newest version, the one a deployment would follow."""
    row = db.session.execute(select(ProcessVersion.version, ProcessVersion.checksum)
                             .where(ProcessVersion.key == key)
                             .order_by(ProcessVersion.version.desc()).limit(1)).first()
    return (row.version, row.checksum) if row is not None else None


def latest_run(draft: ProcessDraft) -> DraftTestRun | None:
    return db.session.scalar(select(DraftTestRun).where(DraftTestRun.draft_id == draft.id)
                             .order_by(DraftTestRun.id.desc()).limit(1))


def _latest_runs(draft_ids: list[int]) -> dict[int, DraftTestRun]:
    """The latest test run of each of these drafts (that have one), in one query."""
    if not draft_ids:
        return {}
    latest = (select(func.max(DraftTestRun.id)).where(DraftTestRun.draft_id.in_(draft_ids))
              .group_by(DraftTestRun.draft_id))
    return {run.draft_id: run
            for run in db.session.scalars(select(DraftTestRun).where(DraftTestRun.id.in_(latest)))}


def view(draft: ProcessDraft) -> dict:
    """The draft as the API shows it, with its latest test run and its warnings (what its BPMN
    carries that the engine ignores without consequence: told, never blocking; read from its
    XML, which the list of drafts does not load)."""
    return {**_view(draft, latest_run(draft), _live(draft.key)),
            "warnings": [asdict(w) for w in definition_warnings(draft.xml)]}


def _view(draft: ProcessDraft, run: DraftTestRun | None, live: tuple[int, str] | None) -> dict:
    deployed = draft.deployed_version
    # a draft whose bundle is the newest version's has nothing to deploy (deploy: 409): its
    # page says so instead of offering the deployment
    identical = (live[0] if deployed is None and live is not None and live[1] == draft.checksum
                 else None)
    # a version deployed since the draft's base: its deployment would be refused (deploy: 409)
    # until the designer saves a new draft from that version
    outdated = (live[0] if deployed is None and identical is None and live is not None
                and live[0] != draft.based_on else None)
    return {"id": draft.id, "key": draft.key, "based_on": draft.based_on,
            "created_by": draft.created_by, "created_at": draft.created_at,
            "valid": draft.valid, "problems": list(draft.problems or []),
            "last_test_run": scenario_runs.view(run) if run is not None else None,
            "deployed_as": deployed.version if deployed is not None else None,
            "identical_to": identical, "outdated_by": outdated}


def diff(draft: ProcessDraft) -> dict:
    """The draft against the version it was edited from (nothing, for a new process)."""
    base = processes.get_version(draft.key, draft.based_on) if draft.based_on else None
    return {"key": draft.key, "from": base.version if base else None, "to": "brouillon",
            **processes.diff_view(diff_bundles(
                base.xml if base else None, bundles.decode_files(base.files) if base else None,
                draft.xml, bundles.decode_files(draft.files)))}


def _lock(draft_id: int) -> ProcessDraft:
    draft = db.session.get(ProcessDraft, draft_id, with_for_update=True, populate_existing=True)
    if draft is None:
        raise NotFound(f"Aucun brouillon n° {draft_id}.")
    return draft


def deploy(draft_id: int, user, override: bool = False, reason: str = "") -> ProcessVersion:
    """Make the draft the newest version of its process, if its latest scenario run passed, or
    if an admin forces it with a reason (recorded as a forced deployment). Its letters that
    differ from the version it is based on (the live one, or the deployment is refused) are
    laid out first, outside the deployment's transaction (bundles.letter_layout_problems): one
    past a limit of the layout is a problem of the draft, refused (422) with the others."""
    reason = (reason or "").strip()
    draft = get(draft_id)
    if override and user.role != "admin":
        raise Forbidden("Seul un administrateur peut forcer le déploiement d'un brouillon dont "
                        "les scénarios ne sont pas réussis.")
    if override and not reason:
        raise Invalid.field("reason", "Indiquez le motif du déploiement forcé.")
    laid_out = []  # a draft deployed already is refused below (409): nothing to lay out
    if draft.deployed_version is None:
        base = processes.get_version(draft.key, draft.based_on) if draft.based_on else None
        laid_out = bundles.letter_layout_problems(bundles.decode_files(draft.files),
                                                  base.files if base else None)
    return _deploy(draft_id, user, override, reason, laid_out)


@command
def _deploy(draft_id: int, user, override: bool, reason: str, laid_out: list) -> ProcessVersion:
    """deploy's transaction: the draft locked, checked again, stored as a version."""
    draft = _lock(draft_id)
    if draft.deployed_version is not None:
        raise Conflict(f"Ce brouillon est déjà déployé (version {draft.deployed_version.version}).")
    processes.check_definition(draft.key, draft.xml, bundles.decode_files(draft.files), laid_out)
    latest = processes.lock_for_deploy(draft.key)
    if latest is not None and latest.version != draft.based_on:
        since = f"la version {draft.based_on}" if draft.based_on else "rien (nouveau processus)"
        raise Conflict(f"Le brouillon part de {since}, mais la version "
                       f"{latest.version} a été déployée depuis : enregistrez un nouveau "
                       f"brouillon à partir de la version {latest.version}.")
    if latest is not None and latest.checksum == draft.checksum:
        raise Conflict(f"Le brouillon est identique à la version {latest.version} déjà déployée.")
    run = latest_run(draft)
    status = scenario_runs.effective_status(run) if run is not None else None
    forced = status != scenario_runs.PASSED
    if forced and not override:
        what = ("aucun test des scénarios n'a été lancé" if run is None
                else f"le dernier test des scénarios (n° {run.id}) est « {status} »")
        raise Conflict(f"Déploiement refusé : {what}. Lancez les scénarios et attendez qu'ils "
                       "réussissent, ou un administrateur peut forcer le déploiement avec un "
                       "motif.")
    version = processes.store_version(
        draft.key, draft.xml, user.username, latest, draft_id=draft.id,
        files=bundles.decode_files(draft.files),
        override_by=user.username if forced else None, override_reason=reason if forced else None)
    tested = {"test": run.id if run else None, "statut_test": status,
              "fonctionnalites": list(run.features or []) if run else None}
    if forced:
        failed = [f"{s['feature']} — {s['name']}" for s in (run.scenarios if run else [])
                  if s.get("status") != "passed"]
        process_history.record(draft.key, process_history.FORCED_DEPLOYMENT, user.username,
                               version=version.version, draft=draft.id, motif=reason,
                               scenarios_en_echec=failed, **tested)
    else:
        process_history.record(draft.key, process_history.VERSION_DEPLOYED, user.username,
                               version=version.version, draft=draft.id, origine="brouillon",
                               scenarios_testes=True, **tested)
    return version
