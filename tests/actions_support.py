"""Service tasks drawn into the shipped voluntary process, for the catalogue's tests."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr


def service_task(element_id: str, action: str, **params: str) -> bytes:
    """A service task by the catalogue's convention (camunda:topic, camunda:inputParameter)."""
    inputs = "".join(f"<camunda:inputParameter name={quoteattr(k)}>{escape(v)}"
                     "</camunda:inputParameter>" for k, v in params.items())
    io = (f"<bpmn:extensionElements><camunda:inputOutput>{inputs}</camunda:inputOutput>"
          "</bpmn:extensionElements>") if params else ""
    return (f'<bpmn:serviceTask id="{element_id}" name="{element_id}" camunda:type="external" '
            f'camunda:topic="{action}">{io}</bpmn:serviceTask>').encode()


def insert_on(xml: bytes, flow_id: str, *tasks: bytes) -> bytes:
    """`xml` with `tasks` run in turn on the sequence flow `flow_id` (source → tasks → target)."""
    pattern = (rb'<bpmn:sequenceFlow id="' + flow_id.encode()
               + rb'" sourceRef="([^"]+)" targetRef="([^"]+)" />')
    found = re.search(pattern, xml)
    assert found, flow_id
    source, target = found.groups()
    ids = [re.search(rb'id="([^"]+)"', t).group(1) for t in tasks]
    nodes = [source, *ids, target]
    names = [flow_id.encode()] + [b"f_svc_" + i for i in ids]
    flows = b"".join(b'<bpmn:sequenceFlow id="%s" sourceRef="%s" targetRef="%s" />'
                     % (names[i], nodes[i], nodes[i + 1]) for i in range(len(names)))
    xml = xml.replace(found.group(0), flows + b"".join(tasks), 1)
    return xml.replace(b"<bpmn:incoming>" + flow_id.encode() + b"</bpmn:incoming>",
                       b"<bpmn:incoming>" + names[-1] + b"</bpmn:incoming>", 1)
