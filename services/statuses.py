"""The case statuses: their codes (the API's `status` field), their French labels, and which
position of the process puts a case in each. The one owner of statuses: the services write them
from here, the pages and exports label them from here.

Element ids and task keys are the diagrams' contract and stay in `workflows.contract`; this
module names the ones the services and pages use, so that nothing above `workflows` spells them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from types import MappingProxyType

from workflows.contract import (
    EL_ATTENTE_ATTESTATION,
    EL_ATTENTE_INSCRIPTION,
    EL_ATTENTE_RESULTAT,
    EL_RESULTAT_SESSION,
    TASK_EXAMEN_MANUEL,
    TASK_KEYS,
    TASK_SIGNALEMENT_PARQUET,
    TASK_TITLES,
    TASK_VERIFICATION_ATTESTATION,
)

__all__ = ["TASK_EXAMEN_MANUEL", "TASK_KEYS", "TASK_SIGNALEMENT_PARQUET", "TASK_TITLES",
           "TASK_VERIFICATION_ATTESTATION", "CREDITING_TASKS"]

# the tasks that decide the points: due one month after the attestation's receipt (R39, D4)
CREDITING_TASKS = (TASK_VERIFICATION_ATTESTATION, TASK_EXAMEN_MANUEL)


@dataclass(frozen=True)
class Status:
    code: str
    label: str


NOUVEAU = Status("nouveau", "Nouveau")  # between the case's row and its first engine step
EN_ATTENTE_INSCRIPTION = Status("en_attente_inscription", "En attente d'inscription")
INSCRIT = Status("inscrit", "Inscrit à une session")
EN_ATTENTE_ATTESTATION = Status("en_attente_attestation", "En attente de l'attestation")
VERIFICATION_ATTESTATION = Status(TASK_VERIFICATION_ATTESTATION, "Attestation à vérifier")
EXAMEN_MANUEL = Status(TASK_EXAMEN_MANUEL, "Examen manuel")
SIGNALEMENT_PARQUET = Status(TASK_SIGNALEMENT_PARQUET, "Signalement au parquet à décider")
EN_COURS = Status("en_cours", "En cours")  # a position no other status names
CLOS = Status("clos", "Clos")

ALL = (NOUVEAU, EN_ATTENTE_INSCRIPTION, INSCRIT, EN_ATTENTE_ATTESTATION, VERIFICATION_ATTESTATION,
       EXAMEN_MANUEL, SIGNALEMENT_PARQUET, EN_COURS, CLOS)
LABELS = MappingProxyType({s.code: s.label for s in ALL})

# From the most to the least pressing: an open task first, then where the process waits.
BY_OPEN_TASK = (EXAMEN_MANUEL, VERIFICATION_ATTESTATION, SIGNALEMENT_PARQUET)
BY_WAITING_ELEMENT = (
    (EL_ATTENTE_ATTESTATION, EN_ATTENTE_ATTESTATION),
    (EL_RESULTAT_SESSION, INSCRIT),
    (EL_ATTENTE_RESULTAT, INSCRIT),
    (EL_ATTENTE_INSCRIPTION, EN_ATTENTE_INSCRIPTION),
)


def of_position(completed: bool, open_task_keys: Collection[str],
                active_elements: Collection[str]) -> str:
    """The status a case shows for where its process stands."""
    if completed:
        return CLOS.code
    for status in BY_OPEN_TASK:
        if status.code in open_task_keys:
            return status.code
    for element, status in BY_WAITING_ELEMENT:
        if element in active_elements:
            return status.code
    return EN_COURS.code


def task_title(key: str) -> str:
    """A task's title for people; a key the contract does not name is shown as it is."""
    return TASK_TITLES.get(key, key)


def label_of(case) -> str:
    """What a clerk reads for a case's status: the label its diagram gives (kept on the case by
    each engine run, docs/process-bundle.md), else the label of this module."""
    return case.status_label or LABELS.get(case.status, case.status)
