"""The scenario sandbox knows the application's clerks' groups, not only those the lanes name:
a designer's decision table or `affecter_groupe` action may name any group of the prefecture,
and the draft's scenarios must find it (services/design/sandbox.py, services/groups.py)."""

from __future__ import annotations

import json
import shutil

import pytest

from services import groups, processes
from services.db import db, transaction
from services.design import sandbox
from services.models import Group
from tests.designer_support import VOLONTAIRE


class Stop(Exception):
    pass


def test_the_sandbox_writes_the_applications_groups_beside_the_shipped_files(api, monkeypatch):
    with transaction():
        groups.create("parquet_special", "Parquet spécial")
    seen = {}

    def start(part, bpmn_dir, features, timeout):
        seen.update({g["code"]: g["name"] for g in json.loads(
            (bpmn_dir / groups.GROUPS_FILE).read_text(encoding="utf-8"))})
        raise Stop

    monkeypatch.setattr(sandbox, "_start", start)
    with pytest.raises(Stop):
        sandbox.run("stage_volontaire", VOLONTAIRE, ["volontaire"])
    assert seen["parquet_special"] == "Parquet spécial"


def test_the_shipped_deployment_creates_the_listed_groups(api, app, tmp_path):
    for path in processes.bpmn_dir().glob("*.bpmn"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / groups.GROUPS_FILE).write_text(
        json.dumps([{"code": "controle_bis", "name": "Contrôle bis"}]), encoding="utf-8")
    app.config["BPMN_DIR"] = str(tmp_path)
    try:
        processes.deploy_shipped("tests")
        processes.deploy_shipped("tests")  # again: the group exists, nothing is refused
    finally:
        app.config.pop("BPMN_DIR")
    with transaction():
        assert db.session.scalar(
            db.select(Group.name).where(Group.code == "controle_bis")) == "Contrôle bis"
