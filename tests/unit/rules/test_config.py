"""CFG_* switches (DOMAIN.md §3, Q1–Q17) and the explanation objects."""

import re
from datetime import date
from pathlib import Path

import pytest

from services.rules.config import DEFAULT_CONFIG, SWITCHES, ConfigError, RulesConfig
from services.rules.explain import Decision, Explanation, Flag, fr_date

DOMAIN = Path("/work/shared/spec/DOMAIN.md")

EXPECTED_DEFAULTS = {
    "CFG_ONE_YEAR_RULE": "SAME_DATE",
    "CFG_DEADLINE_TEST": "LAST_DAY",
    "CFG_EXTEND_TO_NEXT_WORKING_DAY": False,
    "CFG_UNCLAIMED_AR_IS_NOTIFIED": True,
    "CFG_PRE_48N_COURSE_DISCHARGES": False,
    "CFG_ZERO_POINT_COURSE_STARTS_CLOCK": False,
    "CFG_SIMULTANEOUS_CUMUL": False,
    "CFG_REFUND_REQUIRES_DEADLINE": True,
    "CFG_NEGATIVE_BALANCE": True,
    "CFG_R223_8_IV_VERSION_DATE": date(2026, 4, 1),
}


def test_Q_every_domain_switch_exists_with_its_default():
    names = set(EXPECTED_DEFAULTS)
    if DOMAIN.exists():
        section = DOMAIN.read_text(encoding="utf-8").split("## 3.")[1].split("## 5.")[0]
        names |= set(re.findall(r"CFG_[A-Z0-9_]+", section))
    by_env = {s.env: s for s in SWITCHES}
    cfg = RulesConfig()
    for env in names:
        assert env in by_env, env
        switch = by_env[env]
        assert switch.default == EXPECTED_DEFAULTS[env]
        assert getattr(cfg, switch.field) == EXPECTED_DEFAULTS[env]
        assert switch.rules and switch.description
        assert cfg.is_default(env)
    assert DEFAULT_CONFIG == cfg


def test_Q_from_mapping_reads_strings_and_typed_values():
    cfg = RulesConfig.from_mapping({
        "CFG_ONE_YEAR_RULE": "plus_one_day",
        "CFG_DEADLINE_TEST": "FIRST_DAY",
        "CFG_EXTEND_TO_NEXT_WORKING_DAY": "true",
        "CFG_UNCLAIMED_AR_IS_NOTIFIED": "false",
        "CFG_PRE_48N_COURSE_DISCHARGES": True,
        "CFG_ZERO_POINT_COURSE_STARTS_CLOCK": "1",
        "CFG_SIMULTANEOUS_CUMUL": "oui",
        "CFG_REFUND_REQUIRES_DEADLINE": "0",
        "CFG_NEGATIVE_BALANCE": False,
        "CFG_R223_8_IV_VERSION_DATE": "2026-06-01",
        "OTHER": "ignored",
    })
    assert cfg.one_year_rule == "PLUS_ONE_DAY"
    assert cfg.deadline_test == "FIRST_DAY"
    assert cfg.extend_to_next_working_day is True
    assert cfg.unclaimed_ar_is_notified is False
    assert cfg.pre_48n_course_discharges is True
    assert cfg.zero_point_course_starts_clock is True
    assert cfg.simultaneous_cumul is True
    assert cfg.refund_requires_deadline is False
    assert cfg.negative_balance is False
    assert cfg.r223_8_iv_version_date == date(2026, 6, 1)
    assert RulesConfig.from_mapping(cfg.as_dict()) == cfg


def test_Q_from_mapping_missing_or_empty_keys_give_defaults():
    assert RulesConfig.from_mapping({}) == RulesConfig()
    assert RulesConfig.from_mapping({"CFG_NEGATIVE_BALANCE": ""}) == RulesConfig()


@pytest.mark.parametrize("env,value,expected", [
    ("CFG_ONE_YEAR_RULE", "X", "attendu SAME_DATE ou PLUS_ONE_DAY"),
    ("CFG_DEADLINE_TEST", "MIDDLE", "attendu LAST_DAY ou FIRST_DAY"),
    ("CFG_NEGATIVE_BALANCE", "peut-être", "attendu true ou false"),
    ("CFG_SIMULTANEOUS_CUMUL", 3, "attendu true ou false"),
    ("CFG_R223_8_IV_VERSION_DATE", "01/04/2026", "attendu une date"),
])
def test_Q_from_mapping_rejects_bad_values_naming_the_setting(env, value, expected):
    with pytest.raises(ConfigError) as err:
        RulesConfig.from_mapping({env: value})
    assert str(err.value).startswith(f"{env} : valeur invalide")
    assert expected in str(err.value)
    assert isinstance(err.value, ValueError)


def test_Q_one_year_rule_error_message_exact():
    with pytest.raises(ConfigError, match=re.escape(
        "CFG_ONE_YEAR_RULE : valeur invalide 'X' (attendu SAME_DATE ou PLUS_ONE_DAY)"
    )):
        RulesConfig.from_mapping({"CFG_ONE_YEAR_RULE": "X"})


def test_Q_constructor_validates_too():
    with pytest.raises(ConfigError):
        RulesConfig(one_year_rule="NEVER")


def test_Q_as_dict_is_json_friendly():
    d = RulesConfig().as_dict()
    assert d["CFG_R223_8_IV_VERSION_DATE"] == "2026-04-01"
    assert d["CFG_ONE_YEAR_RULE"] == "SAME_DATE"
    assert list(d) == [s.env for s in SWITCHES]


def test_decision_rules_text_and_flags():
    d = Decision(False, (Explanation("R19", "R19 : a"), Explanation("R18", "R18 : b"),
                         Explanation("R19", "R19 : c")), (Flag("R17", "R17 : x", review=True),))
    assert d.rules == ("R19", "R18")
    assert d.text == "R19 : a ; R18 : b ; R19 : c"
    assert d.needs_review and not d
    assert Flag("R32", "m").to_dict() == {"rule": "R32", "message": "m"}
    assert fr_date(date(2026, 7, 10)) == "10/07/2026"
