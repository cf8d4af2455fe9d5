"""BPMN process definitions and their execution: the only package that imports SpiffWorkflow."""

from .contract import (
    ACTION_NAMES,
    FACT_KEYS,
    MESSAGES,
    PROCESS_KEYS,
    REQUIRED_TASK_KEYS,
    TASK_KEYS,
    TASK_TITLES,
    ScriptContext,
)
from .definitions import (
    DefinitionError,
    DefinitionProblem,
    ParsedProcess,
    check_document,
    lanes_naming_groups,
    parse_process,
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

__all__ = [
    "ACTION_NAMES",
    "FACT_KEYS",
    "MESSAGES",
    "PROCESS_KEYS",
    "REQUIRED_TASK_KEYS",
    "TASK_KEYS",
    "TASK_TITLES",
    "DefinitionError",
    "DefinitionProblem",
    "OpenTask",
    "ParsedProcess",
    "ProcessEngine",
    "ProcessRun",
    "ScriptContext",
    "TaskNotReady",
    "WaitingTimer",
    "WorkflowError",
    "check_document",
    "lanes_naming_groups",
    "parse_process",
    "validate",
]
