"""Process versions: deploy BPMN as new versions (only when changed), find the active one."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import defer

from services import actions, bundles, groups
from services.clock import clock
from services.db import LOCK_PROCESS_KEY, advisory_lock, command, db
from services.design import process_history
from services.errors import Conflict, Invalid, NotFound
from services.models import ProcessInstance, ProcessVersion
from services.settings import setting
from workflows.diff import diff_bundles

BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"


def in_service(key: str) -> ProcessVersion | None:
    """The version new cases of `key` follow (None before its first deployment)."""
    # the XML (60 KB) and the bundle's files are read only if the engine has not parsed this
    # version yet
    return db.session.scalar(select(ProcessVersion).where(
        ProcessVersion.key == key, ProcessVersion.active.is_(True))
        .order_by(ProcessVersion.version.desc()).limit(1)
        .options(defer(ProcessVersion.xml), defer(ProcessVersion.files)))


def active_version(key: str) -> ProcessVersion:
    """The version in service of `key`, for the designers' pages: NotFound (404) for a process
    without any, told as a designer acts on it (in the workspace; the command line's
    `processes deploy` says its own)."""
    version = in_service(key)
    if version is None:
        raise NotFound(f"Aucune version déployée du processus « {key} » : vérifiez son nom "
                       "dans la liste des processus de l'atelier, ou déployez-en un "
                       "brouillon depuis l'atelier (« Tester et déployer »).")
    return version


def get_version(key: str, number: int, field: str | None = None) -> ProcessVersion:
    """Version `number` of `key`: NotFound (404), or Invalid on `field` (422) when the number
    came in a request's body or query."""
    version = db.session.scalar(select(ProcessVersion).where(
        ProcessVersion.key == key, ProcessVersion.version == number))
    if version is None:
        detail = f"Aucune version {number} du processus « {key} »."
        raise Invalid.field(field, detail) if field else NotFound(detail)
    return version


def latest_version(key: str) -> ProcessVersion | None:
    return db.session.scalar(select(ProcessVersion).where(ProcessVersion.key == key)
                             .order_by(ProcessVersion.version.desc()).limit(1))


def lock_for_deploy(key: str) -> ProcessVersion | None:
    """Serialise the deployments of `key` until the end of the transaction, then read its
    newest version afresh: of two deployments at once, the second sees the first's version
    (PostgreSQL would otherwise give both the same number: a unique violation, a 500)."""
    advisory_lock(LOCK_PROCESS_KEY, key)
    return latest_version(key)


KEY_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,79}$")


def check_key(key: str) -> None:
    """A process key is the BPMN id of its process, stored in 80 characters."""
    if not KEY_PATTERN.match(key or ""):
        raise Invalid.field("key", "Clé de processus invalide : 80 caractères au plus, lettres "
                            "sans accent, chiffres, « _ », « - » ou « . », en commençant par "
                            "une lettre ou « _ ».")


def problems_as_errors(problems) -> dict[str, list[str]]:
    """French problems keyed by element id ("document" for the file itself), line appended."""
    errors: dict[str, list[str]] = {}
    for p in problems:
        errors.setdefault(p.element_id or "document", []).append(
            p.message + (f" (ligne {p.line})" if p.line else ""))
    return errors


def refuse(key: str, problems) -> Invalid:
    n = len(problems)
    return Invalid(f"Le BPMN du processus « {key} » est refusé : {n} problème"
                   f"{'s' if n > 1 else ''}.", problems_as_errors(problems))


def definition_problems(key: str, xml: bytes, files: dict | None = None) -> list:
    """Every problem of the bundle (`xml` and its `files`) as process `key`: its own
    (services/bundles.py: the BPMN and its forms) and the lanes naming a clerks' group that
    does not exist (services/groups.py), the service tasks calling an action the catalogue
    refuses (services/actions)."""
    return [*bundles.problems(key, xml, files), *groups.definition_problems(xml),
            *actions.definition_problems(xml, files)]


def check_definition(key: str, xml: bytes, files: dict | None = None, more=()) -> None:
    """Invalid (with every problem, in French) unless the bundle (`xml` and its `files`) may be
    deployed as `key`; `more`: its problems found before the transaction (its letters' layout,
    bundles.letter_layout_problems), told with the others."""
    problems = [*definition_problems(key, xml, files), *more]
    if problems:
        raise refuse(key, problems)


def inherited_files(xml: bytes, files: dict | None, base_files: dict | None) -> dict:
    """The bundle's files: those given, or (a raw BPMN, `files` None) the files of the base (a
    version's, or the draft the editor opened) that the BPMN references. Files given without
    any decision table (or form, or letter) keep the base's (an editor that sends only what it
    edited loses none)."""
    if files is not None:
        return bundles.with_inherited_files(xml, dict(files), base_files)
    return bundles.referenced(xml, bundles.decode_files(base_files) if base_files else {})


def store_version(key: str, xml: bytes, actor: str, latest: ProcessVersion | None, *,
                  draft_id: int | None = None, override_by: str | None = None,
                  override_reason: str | None = None, files: dict | None = None
                  ) -> ProcessVersion:
    """Store `xml` (and its `files`) as the version after `latest`. The caller has checked the
    key and the bundle, and holds the deployment lock that gave it `latest` (lock_for_deploy)."""
    files = dict(files or {})
    version = ProcessVersion(key=key, version=(latest.version + 1) if latest else 1, xml=xml,
                             files=files, checksum=bundles.checksum(xml, files),
                             deployed_by=actor,
                             deployed_at=clock().now(), active=True, draft_id=draft_id,
                             override_by=override_by, override_reason=override_reason)
    db.session.add(version)
    db.session.flush()
    return version


@dataclass(frozen=True)
class LettersLaidOut:
    """A bundle's letters laid out before the deployment's transaction: against the version
    `base` (its checksum; None: the process had none), with the `problems` found."""
    base: str | None
    problems: list


class _BaseMoved(Exception):
    """Another version was deployed since the bundle's letters were laid out against its base."""


LAYOUT_ATTEMPTS = 3


def deploy_upload(key: str, xml: bytes, actor: str,
                  files: dict | None = None) -> tuple[ProcessVersion, bool]:
    """`deploy`, the letters of the bundle that differ from the newest version's laid out first
    (bundles.letter_layout_problems), outside the deployment's transaction: what a designer's
    upload runs. Laid out again when another version is deployed meanwhile (409 past
    LAYOUT_ATTEMPTS)."""
    check_key(key)
    for _ in range(LAYOUT_ATTEMPTS):
        latest = latest_version(key)
        base_files = latest.files if latest else None
        laid_out = LettersLaidOut(latest.checksum if latest else None,
                                  bundles.letter_layout_problems(
                                      inherited_files(xml, files, base_files), base_files))
        try:
            return deploy(key, xml, actor, files=files, letters=laid_out)
        except _BaseMoved:
            continue
    raise Conflict(f"D'autres versions du processus « {key} » ont été déployées pendant la mise "
                   "en page de ses courriers : réessayez.")


@command
def deploy(key: str, xml: bytes, actor: str, origin: str = "televersement",
           files: dict | None = None, create_groups: bool = False,
           letters: LettersLaidOut | None = None) -> tuple[ProcessVersion, bool]:
    """Validate and store the bundle (`xml` and its `files`; a raw BPMN, `files` None, keeps
    the forms of the latest version it references) as the next version of `key`; unchanged
    bundles are not redeployed. Recorded in the process history as deployed without a scenario
    test run. `create_groups` (the shipped files): the clerks' groups its lanes name that do not
    exist are created first instead of refused. `letters`: its letters laid out beforehand
    (deploy_upload), told with its other problems; without it (the shipped files) they are not
    laid out. Returns (version, created)."""
    check_key(key)
    latest = lock_for_deploy(key)
    if letters is not None and letters.base != (latest.checksum if latest else None):
        raise _BaseMoved
    files = inherited_files(xml, files, latest.files if latest else None)
    if latest is not None and latest.checksum == bundles.checksum(xml, files):
        return latest, False  # unchanged: already validated when it was deployed
    if create_groups:  # an invalid file is refused below: the transaction is rolled back
        groups.ensure_named(xml)
    check_definition(key, xml, files, letters.problems if letters else ())
    version = store_version(key, xml, actor, latest, files=files)
    process_history.record(key, process_history.VERSION_DEPLOYED, actor, version=version.version,
                           origine=origin, scenarios_testes=False)
    return version, True


def bpmn_dir() -> Path:
    """Where the shipped definitions are read from (BPMN_DIR; the sandbox points it elsewhere)."""
    return Path(setting("BPMN_DIR") or BPMN_DIR)


@command
def deploy_shipped(actor: str = "system") -> list[tuple[ProcessVersion, bool]]:
    """Deploy the shipped bundles: each `<key>.bpmn` with the forms of `forms/` it references,
    and each `<key>.zip` bundle. The clerks' groups their lanes name are created if missing."""
    results = []
    directory = bpmn_dir()
    groups.ensure_listed(directory / groups.GROUPS_FILE)  # the sandbox's copy of the app's
    for path in sorted(directory.glob("*.bpmn")):
        xml = path.read_bytes()
        results.append(deploy(path.stem, xml, actor, origin="fichiers_livres",
                              files=bundles.shipped_files(xml, directory / bundles.FORMS_DIR),
                              create_groups=True))
    for path in sorted(directory.glob("*.zip")):
        xml, files = bundles.read_zip(path.read_bytes())
        results.append(deploy(path.stem, xml, actor, origin="fichiers_livres", files=files,
                              create_groups=True))
    return results


def running_counts(version_id: int | None = None) -> dict[int, int]:
    """Running (not completed) instances per version id."""
    query = (select(ProcessInstance.version_id, func.count(ProcessInstance.id))
             .where(ProcessInstance.completed.is_(False)).group_by(ProcessInstance.version_id))
    if version_id is not None:
        query = query.where(ProcessInstance.version_id == version_id)
    return dict(db.session.execute(query).all())


def recent_versions(limit: int = 50) -> list[ProcessVersion]:
    """The latest versions of every process, by process then newest first."""
    return db.session.scalars(select(ProcessVersion).order_by(
        ProcessVersion.key, ProcessVersion.version.desc()).limit(limit)).all()


def list_versions(page: int, per_page: int):
    total = db.session.scalar(select(func.count(ProcessVersion.id)))
    counts = running_counts()
    items = db.session.scalars(select(ProcessVersion).order_by(ProcessVersion.key,
                                                               ProcessVersion.version)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return [(v, counts.get(v.id, 0)) for v in items], total


def version_view(version: ProcessVersion, running_cases: int | None = None) -> dict:
    """The version resource of the API (GET /processes items, deploy answers)."""
    if running_cases is None:
        running_cases = running_counts(version.id).get(version.id, 0)
    override = ({"by": version.override_by, "reason": version.override_reason}
                if version.override_by else None)
    return {"key": version.key, "version": version.version,
            "deployed_at": version.deployed_at,
            "deployed_by": version.deployed_by, "active": version.active,
            "running_cases": running_cases, "draft": version.draft_id, "override": override}


def diff_view(d) -> dict:
    """A workflows.diff.DefinitionDiff as the API's added / removed / changed lists."""
    return {"added": [asdict(a) for a in d.added], "removed": [asdict(r) for r in d.removed],
            "changed": [{"id": c.id, "type": c.type, "name": c.name,
                         "changes": [asdict(ch) for ch in c.changes]} for c in d.changed]}


def version_diff(key: str, number: int, against: int | None = None) -> dict:
    """What changed from version `against` (default: the previous one) to version `number`;
    version 1 without `against` is compared with nothing (everything is added)."""
    new = get_version(key, number)
    if against is None and number == 1:
        return {"key": key, "from": None, "to": number,
                **diff_view(diff_bundles(None, None, new.xml, bundles.decode_files(new.files)))}
    old = get_version(key, against if against is not None else number - 1)
    return {"key": key, "from": old.version, "to": number,
            **diff_view(diff_bundles(old.xml, bundles.decode_files(old.files), new.xml,
                                     bundles.decode_files(new.files)))}
