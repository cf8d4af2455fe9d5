"""BPMN process definitions and their execution: the only package that imports SpiffWorkflow."""

from .contract import (
    ACTION_NAMES,
    FACT_KEYS,
    MESSAGES,
    PROCESS_KEYS,
    REQUIRED_TASK_KEYS,
    TASK_KEYS,
    TASK_TITLES,
    ActionCall,
    ScriptContext,
)
from .definitions import (
    DefinitionError,
    DefinitionProblem,
    ParsedProcess,
    check_document,
    definition_warnings,
    lanes_naming_groups,
    parse_process,
    service_calls,
    validate,
)
from .runtime import (
    OpenTask,
    ProcessEngine,
    ProcessRun,
    TaskNotReady,
    WaitingTimer,
    WorkflowError,
)
from .script_env import ActionFailed
from .service_tasks import ServiceCall

__all__ = [
    "ACTION_NAMES",
    "FACT_KEYS",
    "MESSAGES",
    "PROCESS_KEYS",
    "REQUIRED_TASK_KEYS",
    "TASK_KEYS",
    "TASK_TITLES",
    "ActionCall",
    "ActionFailed",
    "DefinitionError",
    "DefinitionProblem",
    "OpenTask",
    "ParsedProcess",
    "ProcessEngine",
    "ProcessRun",
    "ScriptContext",
    "ServiceCall",
    "TaskNotReady",
    "WaitingTimer",
    "WorkflowError",
    "check_document",
    "definition_warnings",
    "lanes_naming_groups",
    "parse_process",
    "service_calls",
    "validate",
]
