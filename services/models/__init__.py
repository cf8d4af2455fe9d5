"""SQLAlchemy models, one module per concern; importing this package registers them all."""

from services.models.admin import AdminEvent
from services.models.cases import Case, CaseEvent, CaseProposal
from services.models.centres import Centre, CentreEvent, CourseSession, Enrollment
from services.models.clock import ClockSetting
from services.models.designer import DraftTestRun, ProcessDraft, ProcessEvent
from services.models.letters import Letter
from services.models.licences import Infraction, Invalidation, Licence
from services.models.outbox import OutboxJob
from services.models.processes import (
    HumanTask,
    Incident,
    ProcessInstance,
    ProcessVersion,
    TaskCounter,
)
from services.models.rate_counters import RateCounter
from services.models.stats import StatCaseParts, StatCounter, StatStep
from services.models.users import ApiToken, Group, LoginSession, User

__all__ = [
    "AdminEvent", "ApiToken", "Case", "CaseEvent", "CaseProposal", "Centre", "CentreEvent",
    "ClockSetting",
    "CourseSession", "DraftTestRun",
    "Enrollment", "Group", "HumanTask", "Incident", "Infraction", "Invalidation", "Letter",
    "Licence",
    "LoginSession", "OutboxJob",
    "ProcessDraft", "ProcessEvent", "ProcessInstance", "ProcessVersion", "RateCounter",
    "StatCaseParts",
    "StatCounter", "StatStep",
    "TaskCounter", "User",
]
