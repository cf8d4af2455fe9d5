"""Process versions: deploy BPMN as new versions (only when changed), find the active one."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import func, select

from services.clock import clock
from services.db import db
from services.errors import Invalid, NotFound
from services.models import ProcessInstance, ProcessVersion
from workflows import validate as validate_definition

BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"


def active_version(key: str) -> ProcessVersion:
    version = db.session.scalar(select(ProcessVersion).where(
        ProcessVersion.key == key, ProcessVersion.active.is_(True))
        .order_by(ProcessVersion.version.desc()).limit(1))
    if version is None:
        raise NotFound(f"Aucune version déployée du processus « {key} » "
                       "(lancez « flask --app app processes deploy »).")
    return version


def get_version(key: str, number: int) -> ProcessVersion:
    version = db.session.scalar(select(ProcessVersion).where(
        ProcessVersion.key == key, ProcessVersion.version == number))
    if version is None:
        raise NotFound(f"Aucune version {number} du processus « {key} ».")
    return version


def deploy(key: str, xml: bytes, actor: str) -> tuple[ProcessVersion, bool]:
    """Validate and store `xml` as the next version of `key`; unchanged sources are not redeployed.
    Returns (version, created)."""
    checksum = hashlib.sha256(xml).hexdigest()
    latest = db.session.scalar(select(ProcessVersion).where(ProcessVersion.key == key)
                               .order_by(ProcessVersion.version.desc()).limit(1))
    if latest is not None and latest.checksum == checksum:
        return latest, False  # unchanged: already validated when it was deployed
    problems = validate_definition(xml, key)
    if problems:
        raise Invalid(
            f"Le BPMN du processus « {key} » est refusé : {len(problems)} problème(s).",
            {(p.element_id or "document"): [p.message + (f" (ligne {p.line})" if p.line else "")]
             for p in problems})
    version = ProcessVersion(key=key, version=(latest.version + 1) if latest else 1, xml=xml,
                             checksum=checksum, deployed_by=actor, deployed_at=clock().now(),
                             active=True)
    db.session.add(version)
    db.session.flush()
    return version, True


def deploy_shipped(actor: str = "system") -> list[tuple[ProcessVersion, bool]]:
    results = []
    for path in sorted(BPMN_DIR.glob("*.bpmn")):
        results.append(deploy(path.stem, path.read_bytes(), actor))
    return results


def list_versions(page: int, per_page: int):
    total = db.session.scalar(select(func.count(ProcessVersion.id)))
    counts = dict(db.session.execute(
        select(ProcessInstance.version_id, func.count(ProcessInstance.id))
        .where(ProcessInstance.completed.is_(False)).group_by(ProcessInstance.version_id)).all())
    items = db.session.scalars(select(ProcessVersion).order_by(ProcessVersion.key,
                                                               ProcessVersion.version)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return [(v, counts.get(v.id, 0)) for v in items], total
