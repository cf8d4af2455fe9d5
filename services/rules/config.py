"""The ``CFG_*`` switches of DOMAIN.md (questions Q1–Q17) as one frozen configuration object."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date


class ConfigError(ValueError):
    """An invalid ``CFG_*`` value; the message names the setting, in French."""


@dataclass(frozen=True)
class Switch:
    """Description of one switch, for the UI and the README."""

    env: str
    field: str
    default: object
    rules: tuple[str, ...]
    description: str


SWITCHES: tuple[Switch, ...] = (
    Switch("CFG_ONE_YEAR_RULE", "one_year_rule", "SAME_DATE", ("R25", "D2", "Q2"),
           "Délai d'un an entre deux stages donnant des points : même date (SAME_DATE) "
           "ou un an et un jour (PLUS_ONE_DAY)."),
    Switch("CFG_DEADLINE_TEST", "deadline_test", "LAST_DAY", ("R19", "Q3"),
           "Jour du stage comparé à l'échéance de quatre mois : dernier jour (LAST_DAY) "
           "ou premier jour (FIRST_DAY)."),
    Switch("CFG_EXTEND_TO_NEXT_WORKING_DAY", "extend_to_next_working_day", False, ("D1", "Q4"),
           "Prorogation de l'échéance tombant un samedi, un dimanche ou un jour férié "
           "au premier jour ouvré suivant."),
    Switch("CFG_UNCLAIMED_AR_IS_NOTIFIED", "unclaimed_ar_is_notified", True,
           ("R17", "D11", "Q12"),
           "Lettre recommandée « avisé non réclamé » : réputée reçue à la première présentation."),
    Switch("CFG_PRE_48N_COURSE_DISCHARGES", "pre_48n_course_discharges", False, ("R18", "Q6"),
           "Un stage commencé avant la réception de la lettre 48N satisfait l'obligation."),
    Switch("CFG_ZERO_POINT_COURSE_STARTS_CLOCK", "zero_point_course_starts_clock", False,
           ("R28", "Q13"),
           "Un stage n'ayant crédité aucun point (plafond atteint) fait courir le délai d'un an."),
    Switch("CFG_SIMULTANEOUS_CUMUL", "simultaneous_cumul", False, ("R15", "Q10"),
           "Des infractions simultanées de moins de 3 points chacune, totalisant 3 points ou plus, "
           "entraînent la lettre 48N."),
    Switch("CFG_REFUND_REQUIRES_DEADLINE", "refund_requires_deadline", True, ("R48", "Q7"),
           "Le remboursement de l'amende exige un stage suivi dans le délai de quatre mois."),
    Switch("CFG_NEGATIVE_BALANCE", "negative_balance", True, ("Q5",),
           "Le solde de points peut devenir négatif (sinon il est ramené à 0)."),
    Switch("CFG_R223_8_IV_VERSION_DATE", "r223_8_iv_version_date", date(2026, 4, 1),
           ("R46", "D6", "Q1"),
           "Date de fin de stage à partir de laquelle s'applique le nouvel article R223-8 IV "
           "(15 jours ouvrables) ; avant : 15 jours calendaires."),
)

_CHOICES: dict[str, tuple[str, ...]] = {
    "one_year_rule": ("SAME_DATE", "PLUS_ONE_DAY"),
    "deadline_test": ("LAST_DAY", "FIRST_DAY"),
}
TRUE_WORDS = ("true", "1", "yes", "oui", "on")  # also read by services/settings.py
FALSE_WORDS = ("false", "0", "no", "non", "off")


def _parse(switch: Switch, raw: object) -> object:
    if switch.field in _CHOICES:
        choices = _CHOICES[switch.field]
        value = raw.strip().upper() if isinstance(raw, str) else raw
        if value not in choices:
            raise ConfigError(
                f"{switch.env} : valeur invalide {raw!r} (attendu {' ou '.join(choices)})"
            )
        return value
    if isinstance(switch.default, bool):
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in TRUE_WORDS + FALSE_WORDS:
            return raw.strip().lower() in TRUE_WORDS
        raise ConfigError(f"{switch.env} : valeur invalide {raw!r} (attendu true ou false)")
    if isinstance(switch.default, date):
        if isinstance(raw, date):
            return raw
        if isinstance(raw, str):
            try:
                return date.fromisoformat(raw.strip())
            except ValueError:
                pass
        raise ConfigError(
            f"{switch.env} : valeur invalide {raw!r} (attendu une date AAAA-MM-JJ)"
        )
    raise AssertionError(switch)  # pragma: no cover


@dataclass(frozen=True)
class RulesConfig:
    """One field per ``CFG_*`` switch, with the defaults of DOMAIN.md."""

    one_year_rule: str = "SAME_DATE"  # CFG_ONE_YEAR_RULE (R25, D2, Q2)
    deadline_test: str = "LAST_DAY"  # CFG_DEADLINE_TEST (R19, Q3)
    extend_to_next_working_day: bool = False  # CFG_EXTEND_TO_NEXT_WORKING_DAY (D1, Q4)
    unclaimed_ar_is_notified: bool = True  # CFG_UNCLAIMED_AR_IS_NOTIFIED (R17, D11, Q12)
    pre_48n_course_discharges: bool = False  # CFG_PRE_48N_COURSE_DISCHARGES (R18, Q6)
    zero_point_course_starts_clock: bool = False  # CFG_ZERO_POINT_COURSE_STARTS_CLOCK (R28, Q13)
    simultaneous_cumul: bool = False  # CFG_SIMULTANEOUS_CUMUL (R15, Q10)
    refund_requires_deadline: bool = True  # CFG_REFUND_REQUIRES_DEADLINE (R48, Q7)
    negative_balance: bool = True  # CFG_NEGATIVE_BALANCE (Q5)
    r223_8_iv_version_date: date = date(2026, 4, 1)  # CFG_R223_8_IV_VERSION_DATE (R46, D6)

    def __post_init__(self) -> None:
        # Validate (and normalise) values given directly to the constructor too.
        for switch in SWITCHES:
            object.__setattr__(self, switch.field, _parse(switch, getattr(self, switch.field)))

    @classmethod
    def from_mapping(cls, m: Mapping[str, object]) -> RulesConfig:
        """Read the ``CFG_*`` keys of ``m`` (strings or typed values); missing keys → default."""
        values: dict[str, object] = {}
        for switch in SWITCHES:
            if switch.env in m and m[switch.env] is not None:
                raw = m[switch.env]
                if isinstance(raw, str) and raw.strip() == "":
                    continue
                values[switch.field] = _parse(switch, raw)
        return cls(**values)

    def as_dict(self) -> dict[str, object]:
        """``{"CFG_ONE_YEAR_RULE": "SAME_DATE", …}``, JSON-friendly (dates as ISO strings)."""
        out: dict[str, object] = {}
        for switch in SWITCHES:
            value = getattr(self, switch.field)
            out[switch.env] = value.isoformat() if isinstance(value, date) else value
        return out

    def is_default(self, env: str) -> bool:
        """True when the switch named ``env`` has its DOMAIN.md default."""
        switch = next(s for s in SWITCHES if s.env == env)
        return getattr(self, switch.field) == switch.default


assert [s.field for s in SWITCHES] == [f.name for f in fields(RulesConfig)]

DEFAULT_CONFIG = RulesConfig()  # the DOMAIN.md defaults (frozen, safe to share)
