"""Pure rules of the point-recovery course (DOMAIN.md R1–R57, D1–D12, Q1–Q17).

No framework, no database, no clock: "today" is always a parameter.
"""

from .config import DEFAULT_CONFIG, SWITCHES, ConfigError, RulesConfig
from .explain import Decision, Explanation, Flag

__all__ = [
    "DEFAULT_CONFIG","SWITCHES", "ConfigError", "Decision", "Explanation", "Flag", "RulesConfig"]
