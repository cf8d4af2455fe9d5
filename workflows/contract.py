"""The contract between the BPMN process definitions and the service layer.

Everything the BPMN may read (the ``dossier`` facts), call (the actions), wait for (the
messages) and expose (task keys, element ids) is named here, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# --- process keys ---------------------------------------------------------------------------
PROCESS_OBLIGATOIRE = "stage_obligatoire"
PROCESS_VOLONTAIRE = "stage_volontaire"
PROCESS_EXAMEN_MANUEL = "examen_manuel_processus"  # reusable process called by call activities
PROCESS_KEYS = (PROCESS_OBLIGATOIRE, PROCESS_VOLONTAIRE)

# --- facts: keys of the read-only ``dossier`` mapping ------------------------------------------
FACT_ECHEANCE_TIMER = (
    "echeance_timer"  # ISO 8601 aware instant (start of the Paris day after D1) | None
)
FACT_ATTESTATION_DELIVREE = "attestation_delivree"  # bool
FACT_CONFORMITE = "conformite"  # one of CONFORMITE_VALUES
FACT_EXAMEN_MANUEL_REQUIS = "examen_manuel_requis"  # bool (R24, R17 NPAI, R32)
FACT_STAGE_A_CREDITER = "stage_a_crediter"  # bool (after an invalidation, Q8)
FACT_KEYS = (
    FACT_ECHEANCE_TIMER,
    FACT_ATTESTATION_DELIVREE,
    FACT_CONFORMITE,
    FACT_EXAMEN_MANUEL_REQUIS,
    FACT_STAGE_A_CREDITER,
)
CONFORMITE_VALUES = ("conforme", "en_attente", "non_conforme", "sans_objet")

# --- actions: functions implemented by the service layer ---------------------------------------
ACTION_CREDITER_POINTS = "crediter_points"  # (decision: "crediter"|"refuser", motif: str)  R26
ACTION_DECIDER_REMBOURSEMENT = "decider_remboursement"  # ()  R45-R49, mandatory only
ACTION_CONSTATER_NON_CONFORMITE = "constater_non_conformite"  # ()  R21
ACTION_ENREGISTRER_SIGNALEMENT = "enregistrer_signalement"  # (decision: "signaler"|..., motif)
ACTION_CONSTATER_INVALIDATION = "constater_invalidation"  # ()  Q8
ACTION_NAMES = (
    ACTION_CREDITER_POINTS,
    ACTION_DECIDER_REMBOURSEMENT,
    ACTION_CONSTATER_NON_CONFORMITE,
    ACTION_ENREGISTRER_SIGNALEMENT,
    ACTION_CONSTATER_INVALIDATION,
)

# The only global names a BPMN script, condition or timer expression may use (besides the
# whitelisted builtins of script_env and the variables of the task data / its own assignments).
DOSSIER_NAME = "dossier"

# --- messages the service sends ----------------------------------------------------------------
MSG_INSCRIPTION = "inscription"  # the case was enrolled in a session
MSG_RESULTAT_SESSION = "resultat_session"  # the attendance of the session was recorded
MSG_ANNULATION_SESSION = "annulation_session"  # the session was cancelled (R36)
MSG_ATTESTATION_RECUE = "attestation_recue"  # the prefecture received the attestation (R38)
MSG_CONFORMITE_CONNUE = "conformite_connue"  # the ``conformite`` fact changed
MSG_INVALIDATION_48SI = "invalidation_48si"  # a 48SI was notified while the case is open (Q8)
MESSAGES = (
    MSG_INSCRIPTION,
    MSG_RESULTAT_SESSION,
    MSG_ANNULATION_SESSION,
    MSG_ATTESTATION_RECUE,
    MSG_CONFORMITE_CONNUE,
    MSG_INVALIDATION_48SI,
)

# --- task keys (BPMN ids of the user tasks) -----------------------------------------------------
TASK_VERIFICATION_ATTESTATION = "verification_attestation"
TASK_EXAMEN_MANUEL = "examen_manuel"
TASK_SIGNALEMENT_PARQUET = "signalement_parquet"
TASK_KEYS = (TASK_VERIFICATION_ATTESTATION, TASK_EXAMEN_MANUEL, TASK_SIGNALEMENT_PARQUET)
REQUIRED_TASK_KEYS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        PROCESS_OBLIGATOIRE: TASK_KEYS,
        PROCESS_VOLONTAIRE: (TASK_VERIFICATION_ATTESTATION, TASK_EXAMEN_MANUEL),
    }
)

TASK_TITLES: Mapping[str, str] = MappingProxyType(
    {
        TASK_VERIFICATION_ATTESTATION: "Vérifier l'attestation de stage",
        TASK_EXAMEN_MANUEL: "Examen manuel du dossier",
        TASK_SIGNALEMENT_PARQUET: "Décider du signalement au parquet",
    }
)


# The forms of the contract tasks are form-js documents of the bundle (bpmn/forms/*.form,
# docs/process-bundle.md); workflows/forms.py checks that they carry the keys below and adds
# the contract's rule (a motif when refusing) to the JSON Schema they give.
REVIEW_OBLIGATION = ("remplie", "non_remplie")  # R19, decided by the clerk where the law leaves it
REVIEW_REFUND = ("accorde", "refuse")  # R48


# --- element ids the service maps to case statuses / uses for the diagram -----------------------
EL_LETTRE_48N_RECUE = "lettre_48n_recue"
EL_DEMANDE_STAGE_VOLONTAIRE = "demande_stage_volontaire"
EL_PARCOURS = "parcours_stage"  # embedded subprocess holding branches A (+ B)
EL_ATTENTE_INSCRIPTION = "attente_inscription"
EL_ATTENTE_RESULTAT = "attente_resultat"  # event-based gateway
EL_RESULTAT_SESSION = "resultat_session_recu"
EL_ANNULATION_SESSION = "annulation_session_recue"
EL_ATTENTE_ATTESTATION = "attente_attestation"
EL_VERIFICATION_ATTESTATION = TASK_VERIFICATION_ATTESTATION
EL_APPEL_EXAMEN_MANUEL = "appel_examen_manuel"  # call activity in branch A
EL_SURVEILLANCE_ECHEANCE = "surveillance_echeance"  # event-based gateway
EL_ECHEANCE_4_MOIS = "echeance_4_mois"  # intermediate timer (timeDate)
EL_ATTENTE_CONFORMITE = "attente_conformite"  # message catch after the deadline (en_attente)
EL_CONFORMITE_CONNUE = "conformite_connue_recue"  # message catch on the event-based gateway
EL_SIGNALEMENT_PARQUET = TASK_SIGNALEMENT_PARQUET
EL_INVALIDATION_48SI = "invalidation_48si_recue"  # interrupting boundary message event
EL_APPEL_EXAMEN_MANUEL_INVALIDATION = "appel_examen_manuel_invalidation"
EL_EXAMEN_MANUEL = TASK_EXAMEN_MANUEL
EL_DOSSIER_CLOS = "dossier_clos"
EL_DOSSIER_CLOS_INVALIDATION = "dossier_clos_invalidation"

# Timers: name (BPMN id) -> French label (used by run.waiting_timers()).
TIMER_LABELS: Mapping[str, str] = MappingProxyType(
    {EL_ECHEANCE_4_MOIS: "Échéance du délai de 4 mois (D1)"}
)


# The task data variable where `affecter_groupe` (a service task) leaves the groups it offers
# user tasks to: {user task id: group code}, read before the lanes' (runtime.open_tasks).
DATA_GROUP_ASSIGNMENTS = "affectations_groupes"


@dataclass(frozen=True)
class ActionCall:
    """One service task calling a catalogue action (workflows/service_tasks.py): its element,
    the action's name, its parameters (evaluated), and how to offer a user task of this
    instance to a group."""

    element_id: str
    action: str
    params: Mapping[str, object]
    assign_task: Callable[[str, str], None]


@dataclass(frozen=True)
class ScriptContext:
    """What one engine run may see (``facts`` as ``dossier``) and call (``actions``; service
    tasks through ``call_action``, None where no action may run)."""

    facts: Mapping[str, object] = field(default_factory=dict)
    actions: Mapping[str, Callable[..., object]] = field(default_factory=dict)
    call_action: Callable[[ActionCall], None] | None = None
