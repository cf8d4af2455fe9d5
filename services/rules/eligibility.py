"""Mandatory course: trigger (R10, R11, R15, R16), compliance (R17–R19), attendance (R34),
group size (R32, R41), referral (R21)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from .config import DEFAULT_CONFIG, RulesConfig
from .dates import deadline_4_months
from .explain import Decision, Explanation, Flag, fr_date, fr_points
from .ledger import Ledger, LicenceFacts, Retrait, replay

TRIGGER_POINTS = 3  # R15: a quarter of the maximum (12)
ATTENDANCE = ("present", "absent", "late")


def triggers_48n(
    licence: LicenceFacts,
    infraction: Retrait,
    ledger_before: Ledger | None = None,
    same_day_others: Sequence[Retrait] = (),
    cfg: RulesConfig = DEFAULT_CONFIG,
    ledger_after: Ledger | None = None,
) -> Decision:
    """R15/R16/R11 (R10): does this infraction give rise to a letter 48N (mandatory course)?

    ok iff the licence was probationary at the commission date (R16), the retrait is ≥ 3 points
    (R15; with ``cfg.simultaneous_cumul`` the sum of the simultaneous retraits, Q10) and the
    balance after the retrait on its decision date stays > 0 (otherwise 48SI, R11).

    ``ledger_before`` is the ledger without this infraction; when it already contains a retrait
    with the same ``ref`` it is not deducted twice. Without it, the ledger is replayed from the
    licence facts alone.

    The balance is judged on the ledger that INCLUDES the new retrait (``ledger_after``; replayed
    from the licence facts and the deducted retraits when neither ledger is given): an infraction
    committed before a probation anniversary blocks that anniversary's increment (R3/Q9), so a
    ledger replayed without it overstates the balance.
    """
    explanations: list[Explanation] = []
    flags: list[Flag] = []
    end = licence.probation_end
    if not licence.in_probation(infraction.committed_on):
        reason = ("permis non probatoire" if end is None
                  else f"délai probatoire terminé le {fr_date(end)}")
        explanations.append(Explanation(
            "R16", f"R16 : infraction commise le {fr_date(infraction.committed_on)} hors délai "
                   f"probatoire ({reason}) : pas de lettre 48N"))
        return Decision(False, tuple(explanations))
    explanations.append(Explanation(
        "R16", f"R16 : infraction commise le {fr_date(infraction.committed_on)} pendant le délai "
               f"probatoire (fin le {fr_date(end)})"))

    simultaneous = [o for o in same_day_others
                    if o.ref != infraction.ref and o.committed_on == infraction.committed_on]
    points = infraction.points
    if points >= TRIGGER_POINTS:
        explanations.append(Explanation(
            "R15", f"R15 : retrait de {points} points ≥ 3"))
    else:
        total = points + sum(o.points for o in simultaneous)
        if simultaneous and total >= TRIGGER_POINTS:
            detail = " + ".join(str(p) for p in [points] + [o.points for o in simultaneous])
            if cfg.simultaneous_cumul:
                explanations.append(Explanation(
                    "R15", f"R15 : infractions simultanées {detail} = {total} points ≥ 3 "
                           "(CFG_SIMULTANEOUS_CUMUL=true)"))
                flags.append(Flag("R15", f"R15 : 48N retenue pour des infractions simultanées "
                                         f"({detail} = {total} points), règle incertaine (Q10)"))
            else:
                explanations.append(Explanation(
                    "R15", f"R15 : retrait de {fr_points(points)} < 3 ; infractions simultanées "
                           f"{detail} = {total} points non cumulées (CFG_SIMULTANEOUS_CUMUL=false)"
                           " : pas de lettre 48N"))
                flags.append(Flag("R15", f"R15 : infractions simultanées totalisant {total} "
                                         "points : pas de 48N par défaut, règle incertaine (Q10)"))
                return Decision(False, tuple(explanations), tuple(flags))
        else:
            explanations.append(Explanation(
                "R15", f"R15 : retrait de {fr_points(points)} < 3 : pas de lettre 48N"))
            return Decision(False, tuple(explanations), tuple(flags))

    deducted = [infraction] + (simultaneous if cfg.simultaneous_cumul else [])
    if ledger_after is None and ledger_before is None:
        ledger_after = replay(licence, deducted, cfg=cfg)
    if ledger_after is None:
        # legacy path: a ledger without the new retrait, no blocked increment (callers should
        # pass ledger_after; kept for callers that only know the ledger before)
        ledger = ledger_before
        already = {m.ref for m in ledger.movements if m.kind == "retrait"}
        balance = ledger.balance_on(infraction.decision_on)
        to_deduct = sum(r.points for r in deducted if r.ref not in already)
        after = balance - to_deduct
    else:
        already = ({m.ref for m in ledger_before.movements if m.kind == "retrait"}
                   if ledger_before is not None else set())
        to_deduct = sum(r.points for r in deducted if r.ref not in already)
        after = ledger_after.balance_on(infraction.decision_on)
        if after > 0:
            balance = after + to_deduct
        else:  # the balance stops at 0: show the balance of the day before, as the ledger has it
            balance = ledger_after.balance_on(infraction.decision_on - timedelta(days=1))
            after = balance - to_deduct
    calc = f"{balance} − {to_deduct} = {after}" if to_deduct else f"{after}"
    blocked = [a for a, _n, granted in (ledger_after.increments if ledger_after else ())
               if not granted and infraction.committed_on < a <= infraction.decision_on]
    if blocked:
        text = ("R3 : majoration du " + ", ".join(fr_date(a) for a in blocked)
                + f" non acquise, l'infraction ayant été commise le "
                f"{fr_date(infraction.committed_on)}, avant l'anniversaire "
                "(date de commission, règle incertaine Q9)")
        explanations.append(Explanation("R3", text))
        flags.append(Flag("R3", text))
    if after <= 0:
        explanations.append(Explanation(
            "R11", f"R11 : solde après retrait le {fr_date(infraction.decision_on)} : {calc} ≤ 0 "
                   ": lettre 48SI (invalidation), pas de 48N"))
        return Decision(False, tuple(explanations), tuple(flags))
    explanations.append(Explanation(
        "R10", f"R10 : solde après retrait le {fr_date(infraction.decision_on)} : {calc} > 0 : "
               "lettre 48N, stage obligatoire dans les quatre mois"))
    return Decision(True, tuple(explanations), tuple(flags))


def enrollment_flags(
    receipt_on: date | None,
    deadline: date | None,
    day1: date,
    day2: date,
    cfg: RulesConfig = DEFAULT_CONFIG,
) -> tuple[Flag, ...]:
    """Flags of an enrollment: R17 (48N not received, review), R18 (course before the 48N
    receipt), R19 (session ending after the deadline). The enrollment itself stays allowed."""
    flags: list[Flag] = []
    if receipt_on is None:
        flags.append(Flag("R17", "R17 : lettre 48N non notifiée (NPAI) : le délai ne court pas, "
                                 "examen manuel du stage", review=True))
        return tuple(flags)
    if deadline is None:
        deadline = deadline_4_months(receipt_on, cfg)
    if day1 < receipt_on:
        flags.append(Flag("R18", f"R18 : stage commençant le {fr_date(day1)}, avant la réception "
                                 f"de la lettre 48N le {fr_date(receipt_on)}"))
    if day2 > deadline:
        flags.append(Flag("R19", f"R19 : le stage se termine le {fr_date(day2)}, après "
                                 f"l'échéance du {fr_date(deadline)}"))
    return tuple(flags)


def compliance(
    receipt_on: date | None,
    deadline: date | None,
    day1: date,
    day2: date,
    cfg: RulesConfig = DEFAULT_CONFIG,
) -> Decision:
    """R17–R19: does a course on [day1, day2] discharge the 48N obligation?

    - receipt None (NPAI: not notified, the deadline does not run): ok=True with a review flag
      R17 (a person decides, API.md examen_manuel);
    - R18: a course starting before the receipt does not discharge it, unless
      ``cfg.pre_48n_course_discharges`` (flag R18 either way, Q6);
    - R19: the last day (``cfg.deadline_test`` LAST_DAY, default) or the first day (FIRST_DAY)
      must be on or before the deadline (D1, included); a course straddling the deadline is
      flagged R19 (Q3).
    Attendance (R34) is judged separately (:func:`attestation_issued`).
    """
    if receipt_on is None:
        return Decision(True, (Explanation(
            "R17", "R17 : lettre 48N non notifiée (NPAI) : le délai de quatre mois ne court pas ; "
                   "stage retenu sous réserve d'examen manuel"),),
            (Flag("R17", "R17 : stage sur un dossier dont la lettre 48N est revenue NPAI : "
                         "examen manuel", review=True),))
    if deadline is None:
        deadline = deadline_4_months(receipt_on, cfg)
    explanations: list[Explanation] = []
    flags: list[Flag] = []
    ok = True
    if day1 < receipt_on:
        if cfg.pre_48n_course_discharges:
            explanations.append(Explanation(
                "R18", f"R18 : stage commencé le {fr_date(day1)}, avant la réception de la 48N "
                       f"le {fr_date(receipt_on)}, retenu (CFG_PRE_48N_COURSE_DISCHARGES=true)"))
        else:
            ok = False
            explanations.append(Explanation(
                "R18", f"R18 : le stage commence le {fr_date(day1)}, avant la réception de la "
                       f"lettre 48N le {fr_date(receipt_on)} : il ne satisfait pas l'obligation"))
        flags.append(Flag("R18", "R18 : stage commencé avant la réception de la lettre 48N, "
                                 f"règle incertaine (Q6, CFG_PRE_48N_COURSE_DISCHARGES="
                                 f"{str(cfg.pre_48n_course_discharges).lower()})"))
    straddles = day1 <= deadline < day2
    if cfg.deadline_test == "LAST_DAY":
        if day2 > deadline:
            ok = False
            explanations.append(Explanation(
                "R19", f"R19 : le stage se termine le {fr_date(day2)}, après l'échéance du "
                       f"{fr_date(deadline)}"))
    elif day1 > deadline:
        ok = False
        explanations.append(Explanation(
            "R19", f"R19 : le stage commence le {fr_date(day1)}, après l'échéance du "
                   f"{fr_date(deadline)}"))
    if straddles:
        flags.append(Flag("R19", f"R19 : stage à cheval sur l'échéance du {fr_date(deadline)}, "
                                 f"règle incertaine (Q3, CFG_DEADLINE_TEST={cfg.deadline_test})"))
    if ok:
        explanations.append(Explanation(
            "R19", f"R19 : stage du {fr_date(day1)} au {fr_date(day2)}, après la réception de la "
                   f"48N le {fr_date(receipt_on)} et au plus tard à l'échéance du "
                   f"{fr_date(deadline)} : obligation satisfaite"))
    return Decision(ok, tuple(explanations), tuple(flags))


def session_size_flags(present_count: int, driving_sequence: bool) -> tuple[Flag, ...]:
    """R32/R41/Q11: a session held outside 6–20 trainees (6–12 with a driving sequence) is
    credited by default but flagged for review."""
    upper = 12 if driving_sequence else 20
    if 6 <= present_count <= upper:
        return ()
    return (Flag("R32", f"R32 : session tenue avec {present_count} stagiaire"
                        f"{'s' if present_count > 1 else ''} présent"
                        f"{'s' if present_count > 1 else ''} (attendu entre 6 et {upper}) : "
                        "points crédités par défaut (R41, Q11), examen manuel", review=True),)


def attestation_issued(day1_status: str, day2_status: str) -> Decision:
    """R34: an attestation only for a trainee present on both days (absent or late → none)."""
    for status in (day1_status, day2_status):
        if status not in ATTENDANCE:
            raise ValueError(f"présence inconnue : {status!r}")
    if day1_status == "present" and day2_status == "present":
        return Decision(True, (Explanation(
            "R34", "R34 : présent les deux jours : attestation délivrée"),))
    words = {"absent": "absent", "late": "en retard (exclusion)"}
    parts = [f"jour {i} : {words[s]}" for i, s in ((1, day1_status), (2, day2_status))
             if s != "present"]
    return Decision(False, (Explanation(
        "R34", "R34 : stage non suivi en intégralité (" + ", ".join(parts)
               + ") : pas d'attestation"),))


def referral(deadline: date | None, today: date, compliant_course_done: bool) -> Decision:
    """R21/Q14: referral candidate iff the deadline passed (today > deadline) without a
    compliant course. A person decides (signalement_parquet); nothing is sent automatically."""
    if deadline is None:
        return Decision(False, (Explanation(
            "R17", "R17 : lettre 48N non notifiée : le délai ne court pas, pas de signalement"),))
    if compliant_course_done:
        return Decision(False, (Explanation(
            "R21", "R21 : obligation satisfaite par un stage conforme : pas de signalement"),))
    if today > deadline:
        return Decision(True, (Explanation(
            "R21", f"R21 : échéance du {fr_date(deadline)} dépassée sans stage conforme : "
                   "signalement possible au parquet (décision de l'agent)"),))
    return Decision(False, (Explanation(
        "R21", f"R21 : échéance du {fr_date(deadline)} non encore dépassée"),))


def obligation_after_review(
    credited: bool,
    compliance: Decision,
    choice: str | None = None,
) -> Decision:
    """R19 after the course's crediting decision: is the 48N obligation met?

    R19 needs the attestation of a VALID course: a course refused at review ("refuser") does not
    meet it by default, whatever its dates. Where the law leaves it to a person (manual review:
    NPAI D11/R17, group size R32/R41, R24), the clerk's explicit ``choice`` ("remplie" |
    "non_remplie") decides; without it, a credited course meets the obligation iff it is
    compliant (R17–R19).
    """
    if choice == "remplie":
        return Decision(True, (Explanation(
            "R19", "R19 : obligation de stage remplie, décision de l'agent à l'examen manuel"),))
    if choice == "non_remplie":
        return Decision(False, (Explanation(
            "R19", "R19 : obligation de stage non remplie, décision de l'agent à l'examen "
                   "manuel"),))
    if not credited:
        return Decision(False, (Explanation(
            "R19", "R19 : stage refusé à l'examen manuel : pas d'attestation d'un stage valide, "
                   "obligation non remplie (par défaut)"),))
    return compliance


def pre_48n_course_flags(
    receipt_on: date | None,
    committed_on: date | None,
    courses: Sequence[tuple[date, date]],
    cfg: RulesConfig = DEFAULT_CONFIG,
) -> tuple[Flag, ...]:
    """R18/Q6: attended courses of the licence that started after the infraction but before the
    48N receipt. By default (CFG_PRE_48N_COURSE_DISCHARGES=false) they do not discharge the
    obligation; the case says so with an R18 flag, so the clerk sees why a recent course did not
    count (the default is UNCERTAIN)."""
    if receipt_on is None:
        return ()
    flags = []
    for day1, day2 in sorted(courses):
        if day1 < receipt_on and (committed_on is None or day1 >= committed_on):
            effect = ("il est retenu" if cfg.pre_48n_course_discharges
                      else "par défaut il ne remplit pas l'obligation")
            flags.append(Flag("R18", f"R18 : stage du {fr_date(day1)} au {fr_date(day2)} suivi "
                                     f"avant la réception de la lettre 48N le "
                                     f"{fr_date(receipt_on)} : {effect} (règle incertaine Q6, "
                                     "CFG_PRE_48N_COURSE_DISCHARGES="
                                     f"{str(cfg.pre_48n_course_discharges).lower()})"))
    return tuple(flags)


def cancelled_session_flags(day1: date, day2: date, cancelled_on: date | None, reason: str | None,
                            deadline: date | None) -> tuple[Flag, ...]:
    """R36: a cancelled session does not extend the 48N deadline (no text provides it); whether
    the prosecutor or a judge would excuse it is UNCERTAIN, so a mandatory case not yet met that
    lost a session shows it, with the recorded reason."""
    when = f" le {fr_date(cancelled_on)}" if cancelled_on else ""
    why = f" (motif : {reason})" if reason else ""
    limit = f"du {fr_date(deadline)} " if deadline else ""
    return (Flag("R36", f"R36 : session du {fr_date(day1)} au {fr_date(day2)} annulée{when}{why} : "
                        f"par défaut l'échéance {limit}n'est pas repoussée (règle incertaine : "
                        "un juge pourrait excuser le retard)"),)


def interview_flags(day1: date, day2: date, earlier_courses: int) -> tuple[Flag, ...]:
    """R35: a trainee who has already attended two courses must also have an individual
    interview with the psychologist (≥ 45 minutes, outside the 14 hours). The application
    records no interview, and the consequence of a missing one is UNCERTAIN: by default the
    credit does not depend on it, and the case says so, so the clerk can check with the centre.
    `earlier_courses`: attested courses of the licence that started before this one."""
    if earlier_courses < 2:
        return ()
    return (Flag("R35", f"R35 : {earlier_courses} stages déjà suivis avant celui du "
                        f"{fr_date(day1)} au {fr_date(day2)} : l'entretien individuel avec le "
                        "psychologue (45 minutes au moins, hors des 14 heures) est obligatoire ; "
                        "il n'est pas enregistré ici et, par défaut, le crédit n'en dépend pas "
                        "(conséquence d'un entretien manquant incertaine) : à vérifier auprès du "
                        "centre"),)
