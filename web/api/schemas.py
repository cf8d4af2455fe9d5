"""Marshmallow schemas: the same classes validate requests and generate the OpenAPI document."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from services import cases, groups, sessions, settings, statuses, tasks
from services.clock import FIRST_DAY, LAST_DAY, in_range
from services.db import MAX_ROW_ID
from services.rules import dates as rdates
from services.rules import eligibility, ledger, refund
from web import labels
from web.api import messages_fr
from web.api.instants import Instant

messages_fr.install()


ONE_OF = "Valeur non permise ; valeurs possibles : {choices}."


def one_of(choices):
    return validate.OneOf(choices, error=ONE_OF)


def code(values, **kwargs) -> fields.String:
    """A string from a closed set, `values` being the code's own constant (never a copy): a
    request refuses any other value (422), and the OpenAPI document lists them as the field's
    `enum`, in an answer too (apispec reads the validator, which marshmallow never runs on
    dump), with null when the field allows none."""
    return fields.String(validate=one_of(list(values)), **kwargs)


# ---- the closed sets: each field below takes its `enum` from one of these -------------------
CASE_KINDS = tuple(cases.PROCESS_BY_KIND)
# a case's `status` is NOT a closed set: a version's diagram may name its own codes
# (`code_statut`, docs/process-bundle.md); the defaults of services.statuses are examples
CASE_STATUS_DESCRIPTION = (
    "le code du statut : ceux de l'application par défaut (" + ", ".join(statuses.LABELS)
    + "), ou ceux que le diagramme de la version du dossier nomme (`code_statut`, "
      "docs/process-bundle.md) ; ensemble ouvert")
# the law's receipts (D11) but the dematerialised 48N, which API.md's `letter_48n` does not take
LETTER_RECEIPTS = tuple(r for r in rdates.RECEIPTS if r != "dematerialised")
PROBATIONS = rdates.PROBATIONS
OFFENCE_CLASSES = ledger.OFFENCE_CLASSES
FINE_KINDS = refund.FINE_KINDS
ATTENDANCE = eligibility.ATTENDANCE
# no constant in services for these three: the tables the pages and exports label them with
MOVEMENT_KINDS = tuple(labels.MOVEMENT_LABELS)
OBLIGATIONS = tuple(labels.OBLIGATION_LABELS)
REFERRALS = tuple(labels.REFERRAL_LABELS)
SESSION_STATUSES = sessions.STATUSES
ENROLMENT_STATUSES = sessions.ENROLMENT_STATUSES
TASK_STATES = tasks.STATES
CLOCK_MODES = settings.CLOCK_MODES


def length(min_=None, max_=None):
    return validate.Length(min=min_, max=max_,
                           error="Longueur attendue entre {min} et {max} caractères.")


# a larger id, version or page in a request is a field error (path ids: web.routing)
MAX_INT = MAX_ROW_ID


def range_(min_=None, max_=None):
    return validate.Range(min=min_, max=max_, error="Valeur attendue entre {min} et {max}.")


def identifier(**kwargs) -> fields.Integer:
    """A strict JSON integer naming a row (an id, a version number): 1 to MAX_INT."""
    return integer(validate=range_(1, MAX_INT), **kwargs)


def integer(**kwargs) -> fields.Integer:
    """A JSON integer: 2.5, "3" or true are refused, never truncated or coerced."""
    return fields.Integer(strict=True, **kwargs)


class In(Schema):
    class Meta:
        unknown = RAISE


# ---- common -----------------------------------------------------------------------------------

class FlagSchema(Schema):
    rule = fields.String()
    message = fields.String()


class PageArgs(In):
    page = fields.Integer(load_default=1, validate=range_(1, MAX_INT))
    per_page = fields.Integer(load_default=50, validate=range_(1, 200))


def page_schema(item_schema, name: str):
    return type(name, (Schema,), {
        "items": fields.List(fields.Nested(item_schema)),
        "total": fields.Integer(), "page": fields.Integer(), "per_page": fields.Integer()})


def page_body(items, total: int, args: dict) -> dict:
    """The body of a paged list (`page_schema`) for the query's PageArgs."""
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


# ---- licences -----------------------------------------------------------------------------------

class HolderSchema(In):
    last_name = fields.String(required=True, validate=length(1, 120))
    first_name = fields.String(required=True, validate=length(1, 120))
    birth_date = fields.Date(required=True, metadata={
        "description": "avant l'obtention, et au moins 14 ans avant elle (aucune catégorie de "
                       "permis plus tôt ; docs/legal-decisions.md, LD15), sinon 422"})


class BalanceInSchema(In):
    points = integer(required=True, validate=range_(-24, 12), metadata={
        "description": "au plus le plafond du permis à la date `on` (R4 : 12, ou en période "
                       "probatoire 6 et les majorations échues), sinon 422 (LD15)"})
    on = fields.Date(required=True, metadata={
        "description": "entre l'obtention du permis et aujourd'hui, sinon 422"})


class LicenceInSchema(In):
    number = fields.String(required=True, validate=[
        length(1, 20), validate.Regexp(r"^[0-9A-Za-z]+$", error="Chiffres et lettres seulement.")])
    holder = fields.Nested(HolderSchema, required=True)
    obtained_on = fields.Date(required=True)
    probation = code(PROBATIONS, required=True)
    formation_complementaire = fields.Boolean(load_default=False)
    balance = fields.Nested(BalanceInSchema, load_default=None, allow_none=True)
    # the dates' cross-checks (born before obtained, obtained not after today) are the
    # service's (services/rules/facts.py): all of them are reported at once, with the clock's
    # today


class MovementSchema(Schema):
    kind = code(MOVEMENT_KINDS)
    points = fields.Integer()
    effective_on = fields.Date()
    recorded_at = Instant(allow_none=True, metadata={
        "description": "quand le mouvement a été enregistré : le solde avec le permis, un "
                       "retrait avec son infraction, un stage quand son crédit a été décidé ; "
                       "null pour une majoration ou une restitution (la loi les fait à leur "
                       "date, personne ne les enregistre)"})
    ref = fields.String(allow_none=True)
    explanation = fields.String(allow_none=True)


class LicenceSchema(Schema):
    number = fields.String()
    holder = fields.Nested(HolderSchema)
    obtained_on = fields.Date()
    probation = code(PROBATIONS)
    formation_complementaire = fields.Boolean()
    probation_ends_on = fields.Date(allow_none=True)
    balance = fields.Integer()
    cap = fields.Integer()
    valid = fields.Boolean()
    flags = fields.List(fields.Nested(FlagSchema))
    movements = fields.List(fields.Nested(MovementSchema))


class BalanceArgs(In):
    on = fields.Date(required=True)


class BalanceSchema(Schema):
    on = fields.Date()
    balance = fields.Integer()
    cap = fields.Integer()
    valid = fields.Boolean()


class FineSchema(In):
    amount = fields.Decimal(required=True, places=2, as_string=False, validate=range_(0, 100000),
                            metadata={"description": "supérieur à 0, et pour une contravention "
                                                     "au plus le maximum de sa classe (C1 38 €, "
                                                     "C2 150 €, C3 450 €, C4 750 €, C5 3 000 €), "
                                                     "sinon 422 (LD15)"})
    kind = code(FINE_KINDS, required=True)
    paid_on = fields.Date(load_default=None, allow_none=True)


class InfractionInSchema(In):
    committed_on = fields.Date(required=True)
    points = integer(required=True, validate=validate.Range(
        min=1, max=6, error="R5 : un retrait est de 1 à 6 points par infraction (un délit : 6, "
                            "la moitié du maximum de 12)."))
    offence_class = code(OFFENCE_CLASSES, required=True)
    label = fields.String(required=True, validate=length(1, 255))
    established_on = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "R7 : entre la commission et aujourd'hui, sinon 422 (LD14)"})
    decision_on = fields.Date(required=True, metadata={
        "description": "R8 : après la commission et la date de réalité, au plus aujourd'hui, "
                       "sinon 422 (LD14)"})
    fine = fields.Nested(FineSchema, load_default=None, allow_none=True)


class FineOutSchema(Schema):
    amount = fields.Raw(metadata={"type": "number", "description": "en euros"})
    kind = code(FINE_KINDS)
    paid_on = fields.String(allow_none=True, metadata={"format": "date"})


class InfractionSchema(Schema):
    id = fields.Integer()
    licence = fields.String()
    committed_on = fields.Date()
    points = fields.Integer()
    offence_class = code(OFFENCE_CLASSES)
    label = fields.String()
    established_on = fields.Date(allow_none=True)
    decision_on = fields.Date()
    fine = fields.Nested(FineOutSchema, allow_none=True)
    triggers_48n = fields.Boolean()
    explanation = fields.String(allow_none=True)


class InvalidationInSchema(In):
    decision_on = fields.Date(required=True, metadata={
        "description": "entre l'obtention du permis et aujourd'hui, sinon 422 (LD15)"})
    notified_on = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "entre la décision et aujourd'hui, sinon 422 (R6)"})


class InvalidationSchema(Schema):
    id = fields.Integer()
    decision_on = fields.Date()
    notified_on = fields.Date(allow_none=True)


# ---- centres and sessions -----------------------------------------------------------------------

DEPARTEMENT = validate.Regexp(r"^(0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$",
                              error="Numéro de département invalide.")
EMAIL_ERRORS = {"invalid": "Adresse électronique invalide."}


class CentreSchema(In):
    # its format is checked by services/centres.py (for every caller): 422 on `agrement`
    agrement = fields.String(required=True, validate=length(1, 30), metadata={
        "description": "« R », l'année de l'arrêté (2 chiffres), le département (3 caractères : "
                       "075, 02A, 971), un numéro (5 chiffres)", "example": "R2407500010"})
    name = fields.String(required=True, validate=length(1, 200))
    departement = fields.String(required=True, validate=DEPARTEMENT)
    valid_until = fields.Date(required=True)
    # where the catalogue's `notifier_centre` writes (issue 15); optional
    email = fields.Email(load_default=None, allow_none=True, validate=length(3, 254),
                         error_messages=EMAIL_ERRORS)


class CentrePatchSchema(In):
    """A change of a centre's record: the fields given are changed, the others kept; the agrément
    number is the centre's identity and cannot be changed (services/centres.py)."""

    name = fields.String(validate=length(1, 200))
    departement = fields.String(validate=DEPARTEMENT)
    valid_until = fields.Date()
    email = fields.Email(allow_none=True, validate=length(3, 254), error_messages=EMAIL_ERRORS)


class CentreEventSchema(Schema):
    at = Instant()
    actor = fields.String()
    type = fields.String()
    detail = fields.Dict()


class SessionInSchema(In):
    centre = fields.String(required=True)
    day1 = fields.Date(required=True)
    day2 = fields.Date(required=True)
    capacity = integer(required=True, validate=range_(1, 20))
    driving_sequence = fields.Boolean(load_default=False)


class EnrollmentViewSchema(Schema):
    case = fields.Integer()
    licence = fields.String()
    status = code(ENROLMENT_STATUSES)
    day1 = code(ATTENDANCE, allow_none=True)
    day2 = code(ATTENDANCE, allow_none=True)
    attestation_issued_on = fields.Date(allow_none=True)


class SessionSchema(Schema):
    id = fields.Integer()
    centre = fields.String()
    day1 = fields.Date()
    day2 = fields.Date()
    capacity = fields.Integer()
    driving_sequence = fields.Boolean()
    status = code(SESSION_STATUSES)
    cancelled_on = fields.Date(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    enrollments = fields.List(fields.Nested(EnrollmentViewSchema))
    flags = fields.List(fields.Nested(FlagSchema))


class SessionFilters(In):
    """The session list's filters (its page and its export)."""
    centre = fields.String(load_default=None)
    from_ = fields.Date(load_default=None, data_key="from",
                        metadata={"description": "sessions dont le premier jour est ce jour ou "
                                                 "après"})
    to = fields.Date(load_default=None, metadata={
        "description": "sessions dont le premier jour est ce jour ou avant ; pas avant `from` "
                       "(422)"})

    @validates_schema
    def a_period(self, data, **_):
        # an inverted period selects nothing: said, rather than an empty list that looks like
        # « no session » (a QA finding)
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError(f"La fin de la période ({data['to']:%d/%m/%Y}) précède son "
                                  f"début ({data['from_']:%d/%m/%Y}).", "to")


class SessionListArgs(PageArgs, SessionFilters):
    pass


class CancelSchema(In):
    on = fields.Date(required=True, metadata={
        "description": "au plus le second jour de la session et au plus aujourd'hui, sinon "
                       "422 (R36, LD15)"})
    reason = fields.String(required=True, validate=length(1, 255))


class UnenrolmentSchema(In):
    reason = fields.String(required=True, validate=length(1, sessions.REASON_MAX), metadata={
        "description": "pourquoi le stagiaire est désinscrit (erreur de saisie, désistement…), "
                       "en français : il figure dans l'historique du dossier (LD16)"})


class AttendanceRecordSchema(In):
    licence = fields.String(required=True)
    day1 = code(ATTENDANCE, required=True)
    day2 = code(ATTENDANCE, required=True)


class AttendanceSchema(In):
    records = fields.List(fields.Nested(AttendanceRecordSchema), required=True)


# ---- cases ------------------------------------------------------------------------------------

class LetterSchema(In):
    sent_on = fields.Date(required=True, metadata={
        "description": "après la décision du retrait notifié (R10), au plus aujourd'hui ; "
                       "toutes les erreurs de la lettre dans un seul 422 (LD14)"})
    receipt = code(LETTER_RECEIPTS, required=True)
    received_on = fields.Date(load_default=None, allow_none=True)


class CaseInSchema(In):
    kind = code(CASE_KINDS, required=True)
    licence = fields.String(required=True)
    infraction = identifier(load_default=None, allow_none=True)
    letter_48n = fields.Nested(LetterSchema, load_default=None, allow_none=True)

    @validates_schema
    def mandatory_fields(self, data, **_):
        errors = {}
        if data.get("kind") == "obligatoire":
            if data.get("infraction") is None:
                errors["infraction"] = ["Champ obligatoire pour un stage obligatoire."]
            if data.get("letter_48n") is None:
                errors["letter_48n"] = ["Champ obligatoire pour un stage obligatoire."]
        elif data.get("kind") == "volontaire":
            # API.md: a voluntary case is `{"kind", "licence"}`; an infraction or a 48N sent with
            # it is a mistaken kind, not data to drop silently
            for name in ("infraction", "letter_48n"):
                if data.get(name) is not None:
                    errors[name] = ["Sans objet pour un stage volontaire (pas de lettre 48N) : "
                                    "ne l'indiquez pas, ou ouvrez un stage obligatoire."]
        if errors:
            raise ValidationError(errors)


class CaseFilters(In):
    """The case list's filters (its page and its export)."""
    status = fields.String(load_default=None, metadata={
        "description": "le statut (`status`) des dossiers listés ; vide : tous. Un code qu'aucun "
                       "dossier n'a donne une liste vide : le diagramme d'une version peut "
                       "nommer ses propres codes"})
    licence = fields.String(load_default=None)
    q = fields.String(load_default=None)
    overdue = fields.Boolean(load_default=False)


class CaseListArgs(PageArgs, CaseFilters):
    pass


class TaskRefSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    title = fields.String()


# an instant written by the app in Paris time, with its offset (2026-07-11T00:00:00+02:00)
PARIS_INSTANT = {"format": "date-time",
                 "description": "l'instant, heure de Paris avec son décalage"}


class TimerSchema(Schema):
    name = fields.String()
    due_at = fields.String(metadata=PARIS_INSTANT)


class RefusalSchema(Schema):
    rule = fields.String()
    reason = fields.String()


class RefundSchema(Schema):
    """API.md: `{"eligible": true, "amount", "request_deadline"}` or `{"eligible": false,
    "rule", "reason"}` (an eligible refund may carry a `reason` too)."""

    eligible = fields.Boolean()
    amount = fields.Raw(allow_none=True, metadata={"type": "number", "description": "en euros"})
    request_deadline = fields.String(allow_none=True, metadata={"format": "date"})
    rule = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class OutcomeSchema(Schema):
    obligation = code(OBLIGATIONS, allow_none=True, metadata={
        "description": "null pour un stage volontaire (R19)"})
    points_credited = fields.Integer(allow_none=True)
    effect_on = fields.Date(allow_none=True)
    balance_after = fields.Integer(allow_none=True)
    credit_refusal = fields.Nested(RefusalSchema, allow_none=True)
    explanation = fields.String(allow_none=True)
    refund = fields.Nested(RefundSchema, allow_none=True)
    referral = code(REFERRALS, allow_none=True)


class AttestationOutSchema(Schema):
    issued_on = fields.Date()
    transmission_deadline = fields.Date(metadata={
        "description": "D5 : le centre transmet l'attestation au préfet dans les 15 jours"})
    received_on = fields.Date(allow_none=True)


class ProcessRefSchema(Schema):
    key = fields.String()
    version = fields.Integer()


class ChangeSchema(Schema):
    field = fields.String(metadata={
        "description": "ce qui changerait : triggers_48n, refund, obligation ou points_credited"})
    before = fields.Raw(allow_none=True, metadata={"description": "la valeur enregistrée"})
    after = fields.Raw(allow_none=True, metadata={"description": "la valeur recalculée"})
    rule = fields.String(metadata={"description": "l'identifiant de la règle (DOMAIN.md)"})
    text = fields.String(metadata={"description": "le changement en français"})


class PendingChangeSchema(Schema):
    id = fields.Integer(metadata={"description": "le numéro de la proposition"})
    proposed_at = Instant()
    proposed_by = fields.String()
    reason = fields.String(metadata={"description": "pourquoi le résultat a été recalculé"})
    changes = fields.List(fields.Nested(ChangeSchema))


class ProposalDecisionInSchema(In):
    proposal = identifier(metadata={
        "description": "la proposition lue (pending_change.id) ; si une plus récente l'a "
                       "remplacée, 409"})


class ProposalDismissInSchema(ProposalDecisionInSchema):
    motif = fields.String(required=True, validate=length(1, 500),
                          metadata={"description": "pourquoi le changement est écarté"})


class CaseSchema(Schema):
    id = fields.Integer()
    reference = fields.String()
    kind = code(CASE_KINDS)
    licence = fields.String()
    holder = fields.String()
    status = fields.String(metadata={"description": CASE_STATUS_DESCRIPTION})
    status_label = fields.String(metadata={
        "description": "le statut pour les personnes : le libellé que le schéma du processus "
                       "donne à l'étape où le dossier attend (docs/process-bundle.md)"})
    closed = fields.Boolean()
    process = fields.Nested(ProcessRefSchema, allow_none=True)
    letter_48n = fields.Nested(LetterSchema, allow_none=True)
    infraction = fields.Integer(allow_none=True)
    deadline = fields.Date(allow_none=True)
    credit_due_on = fields.Date(allow_none=True)
    session = fields.Integer(allow_none=True)
    attestation = fields.Nested(AttestationOutSchema, allow_none=True)
    tasks = fields.List(fields.Nested(TaskRefSchema))
    timers = fields.List(fields.Nested(TimerSchema))
    flags = fields.List(fields.Nested(FlagSchema))
    outcome = fields.Nested(OutcomeSchema)
    pending_change = fields.Nested(PendingChangeSchema, allow_none=True, metadata={
        "description": "un résultat recalculé (rejeu des règles, fait enregistré tard) qui "
                       "attend qu'un agent le valide ou l'écarte ; null : aucun"})


class CaseSummarySchema(Schema):
    id = fields.Integer()
    reference = fields.String()
    kind = code(CASE_KINDS)
    licence = fields.Function(lambda c: c.licence.number)
    holder = fields.Function(lambda c: c.licence.holder_name)
    status = fields.String(metadata={"description": CASE_STATUS_DESCRIPTION})
    status_label = fields.Function(statuses.label_of)
    closed = fields.Boolean()
    deadline = fields.Date(allow_none=True)
    obligation = code(OBLIGATIONS, allow_none=True)
    referral = code(REFERRALS, allow_none=True)


class EnrollmentInSchema(In):
    session = identifier(required=True)


class SessionEnrollmentInSchema(In):
    """A centre names its trainee by the licence number only (never a case)."""

    licence = fields.String(required=True, validate=length(1, 40))


class AttestationInSchema(In):
    received_on = fields.Date(required=True)


class EventSchema(Schema):
    at = Instant()
    actor = fields.String()
    type = fields.String()
    detail = fields.Dict()


# ---- tasks ------------------------------------------------------------------------------------

class TaskFilters(In):
    """The task list's filters (its page and its export)."""
    case = fields.Integer(load_default=None, validate=range_(1, MAX_INT))
    key = fields.String(load_default=None)
    mine = fields.Boolean(load_default=False)
    state = code(TASK_STATES, load_default="open")
    groups = fields.String(load_default=None, validate=one_of(["mine"]), metadata={
        "description": "« mine » : les tâches proposées à l'un de mes groupes (celles ouvertes "
                       "à tous les agents n'y figurent pas)"})


class TaskListArgs(PageArgs, TaskFilters):
    pass


class TaskSchema(Schema):
    id = fields.Integer()
    case = fields.Integer(attribute="case_id")
    key = fields.String()
    title = fields.String()
    form = fields.Function(lambda t: tasks.form_for_display(t))
    assignee = fields.Function(lambda t: t.assignee.username if t.assignee else None)
    state = code(TASK_STATES)
    created_at = Instant()
    due_on = fields.Date(allow_none=True)
    reminders = fields.Integer(metadata={
        "description": "relances (minuteries non interruptives sur la tâche) déclenchées"})
    reminded_at = Instant(allow_none=True)
    group = fields.String(attribute="group_code", allow_none=True, metadata={
        "description": "le code du groupe d'agents auquel la tâche est proposée (couloir BPMN) ; "
                       "null : ouverte à tous les agents"})
    group_name = fields.Function(lambda t: groups.name_of(t.group_code), allow_none=True,
                                 metadata={"description": "le nom de ce groupe"})


class CompleteInSchema(In):
    data = fields.Dict(required=True)


# ---- processes and clock -------------------------------------------------------------------------

class OverrideSchema(Schema):
    by = fields.String(metadata={"description": "l'administrateur qui a forcé le déploiement"})
    reason = fields.String(metadata={"description": "le motif qu'il a donné"})


class ProcessVersionSchema(Schema):
    key = fields.String()
    version = fields.Integer()
    deployed_at = Instant()
    deployed_by = fields.String()
    active = fields.Boolean()
    running_cases = fields.Integer()
    draft = fields.Integer(allow_none=True,
                           metadata={"description": "le brouillon d'où vient la version"})
    override = fields.Nested(OverrideSchema, allow_none=True,
                             metadata={"description": "déploiement forcé malgré des scénarios "
                                                      "en échec (null sinon)"})


class ClockSchema(Schema):
    now = fields.String(metadata=PARIS_INSTANT)
    today = fields.Date()
    mode = code(CLOCK_MODES)


# The days the manual clock may show (services/clock.py says why).
CLOCK_FIRST_DAY, CLOCK_LAST_DAY = FIRST_DAY, LAST_DAY
CLOCK_RANGE = (f"Date attendue entre le {CLOCK_FIRST_DAY:%d/%m/%Y} et le {CLOCK_LAST_DAY:%d/%m/%Y} "
               "(les règles calculent des échéances jusqu'à dix ans après l'horloge).")


class ClockInSchema(In):
    today = fields.Date(load_default=None, validate=validate.Range(
        min=CLOCK_FIRST_DAY, max=CLOCK_LAST_DAY, error=CLOCK_RANGE))
    now = fields.AwareDateTime(load_default=None, metadata={
        "description": f"entre le {CLOCK_FIRST_DAY:%d/%m/%Y} et le {CLOCK_LAST_DAY:%d/%m/%Y} "
                       "(heure de Paris)"})

    @validates_schema
    def exactly_one(self, data, **_):
        if (data.get("today") is None) == (data.get("now") is None):
            raise ValidationError("Indiquez soit « today », soit « now ».", "today")

    @validates_schema
    def in_range(self, data, **_):
        now = data.get("now")
        if now is not None:
            if not in_range(now):  # 9999-12-31T23:00-01:00 has no Paris day at all
                raise ValidationError(CLOCK_RANGE, "now")


class FiredSchema(Schema):
    fired = fields.Integer()
