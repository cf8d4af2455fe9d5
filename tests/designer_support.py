"""Shared material of the designers' workspace tests: shipped BPMN variants (a renamed task, a
journey broken on purpose) and upload helpers."""

from __future__ import annotations

import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VOLONTAIRE = (ROOT / "bpmn" / "stage_volontaire.bpmn").read_bytes()
OBLIGATOIRE = (ROOT / "bpmn" / "stage_obligatoire.bpmn").read_bytes()
VERIFY_LABEL = "name=\"Vérifier l'attestation de stage\"".encode()
# Valid BPMN, wrong journey: after the clerk's verification the case goes back to waiting for an
# enrollment instead of being credited.
BROKEN_FLOW = (b'sourceRef="verification_attestation" targetRef="decision_verification_gw"',
               b'sourceRef="verification_attestation" targetRef="fusion_inscription"')


def renamed(xml: bytes, label: str) -> bytes:
    """`xml` with the verification task relabelled (the rename of the browser test)."""
    assert VERIFY_LABEL in xml
    return xml.replace(VERIFY_LABEL, f'name="{label}"'.encode(), 1)


def renamed_volontaire(label: str = "Contrôler l'attestation") -> bytes:
    return renamed(VOLONTAIRE, label)


def xml_headers() -> dict:
    return {"Content-Type": "application/xml"}


def race(app, calls: dict) -> dict:
    """POST {name: (path, body, token)} at the same moment, each from its own client (a body in
    bytes goes as BPMN XML, anything else as JSON); {name: (status, JSON answer)}."""
    barrier = threading.Barrier(len(calls))
    results = {}

    def call(name, path, body, token):
        headers = {"Authorization": f"Bearer {token}"}
        client = app.test_client()
        barrier.wait()
        if isinstance(body, bytes):
            resp = client.post(path, data=body, headers={**headers, **xml_headers()})
        else:
            resp = client.post(path, json=body, headers=headers)
        results[name] = (resp.status_code, resp.get_json())

    threads = [threading.Thread(target=call, args=(name, *c)) for name, c in calls.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


# A QA finding: a draft whose verification task carried a Camunda task listener, an execution
# listener and an asynchronous continuation was « valide », passed its scenarios and deployed,
# the engine ignoring all three (workflows/extensions.py).
IGNORED_LISTENERS = (b'<camunda:taskListener class="com.example.Mailer" event="create" />'
                     b'<camunda:executionListener expression="${mailer.send()}" event="start" />')


def with_ignored_features(xml: bytes = VOLONTAIRE) -> bytes:
    """`xml` with the verification task given those three Camunda features."""
    task = b'<bpmn:userTask id="verification_attestation" '
    start = xml.index(task)
    ext = xml.index(b"<bpmn:extensionElements>", start) + len(b"<bpmn:extensionElements>")
    xml = xml[:ext] + IGNORED_LISTENERS + xml[ext:]
    return xml.replace(task, task + b'camunda:asyncBefore="true" ', 1)


def with_descriptive_extensions(xml: bytes = VOLONTAIRE) -> bytes:
    """`xml` whose process carries what Camunda Modeler writes and nothing of a case's course
    depends on: a history time to live and a version tag (warnings, not problems)."""
    process = b'<bpmn:process id="stage_volontaire" '
    assert process in xml
    return xml.replace(process, process + b'camunda:historyTimeToLive="P180D" '
                                          b'camunda:versionTag="1.4" ', 1)
