"""Steps about course sessions: scheduling, enrollment, attendance, cancellation, attestation."""

from __future__ import annotations

import datetime as dt

from pytest_bdd import given, parsers, then, when

from tests.bdd.outils import DATE, PRESENCES, Contexte, d, verifier

# Other trainees added to every session so that it is held with the legal group size (R32: 6 to
# 20 present) once the scenario's driver is there too.
AUTRES_STAGIAIRES = 5


def programmer(ctx: Contexte, j1: str, j2: str, autres: int = AUTRES_STAGIAIRES) -> dict:
    """The session, then `autres` other trainees (voluntary cases) enrolled in it; a refusal
    is said in French (Contexte.ok), e.g. a Sunday or days not consecutive (R31, D12)."""
    ctx.session = ctx.ok(ctx.api.post("/api/v1/sessions", {"centre": ctx.centre,
                                                           "day1": d(j1), "day2": d(j2),
                                                           "capacity": 20}),
                         f"programmer une session les {j1} et {j2}", 201)
    numeros = []
    # an imported balance is known on a day not after today (R4, LD15)
    solde_du = min(dt.date(2025, 1, 1), ctx.api.today()).isoformat()
    for _ in range(autres):
        numero = ctx.api.filler_number()
        ctx.ok(ctx.api.post("/api/v1/licences", {
            "number": numero, "holder": {"last_name": "Durand", "first_name": "Paul",
                                         "birth_date": "1990-01-01"},
            "obtained_on": "2015-01-01", "probation": "none", "formation_complementaire": False,
            "balance": {"points": 8, "on": solde_du}}),
            "enregistrer le permis d'un autre stagiaire", 201)
        dossier = ctx.ok(ctx.api.post("/api/v1/cases", {"kind": "volontaire",
                                                        "licence": numero}),
                         "ouvrir le dossier d'un autre stagiaire", 201)
        ctx.ok(ctx.api.post(f"/api/v1/cases/{dossier['id']}/enrollment",
                            {"session": ctx.session["id"]}),
               f"inscrire un autre stagiaire à la session des {j1} et {j2}")
        numeros.append(numero)
    ctx.api.fillers[ctx.session["id"]] = numeros
    ctx.sessions.append(ctx.session)
    return ctx.session


def inscrire(ctx: Contexte) -> None:
    ctx.dossier = ctx.ok(ctx.api.post(f"/api/v1/cases/{ctx.dossier['id']}/enrollment",
                                      {"session": ctx.session["id"]}),
                         "inscrire le conducteur au stage")


def emarger(ctx: Contexte, jour1: str = "present", jour2: str = "present") -> None:
    ctx.avancer(_fr(ctx.session["day2"]))
    recs = [{"licence": ctx.numero, "day1": jour1, "day2": jour2}]
    recs += [{"licence": n, "day1": "present", "day2": "present"}
             for n in ctx.api.fillers.get(ctx.session["id"], [])]
    ctx.session = ctx.ok(ctx.api.post(f"/api/v1/sessions/{ctx.session['id']}/attendance",
                                      {"records": recs}), "enregistrer les présences")


def _fr(iso: str) -> str:
    y, m, j = iso.split("-")
    return f"{j}/{m}/{y}"


# -- sessions ---------------------------------------------------------------------------------
@given(parsers.re(rf"une session (?:de stage )?est programmée les (?P<j1>{DATE}) et (?P<j2>{DATE})"
                  rf"(?: avec (?P<autres>\d+) autres? stagiaires?)?"))
@when(parsers.re(rf"une session (?:de stage )?est programmée les (?P<j1>{DATE}) et (?P<j2>{DATE})"
                 rf"(?: avec (?P<autres>\d+) autres? stagiaires?)?"))
def session_programmee(ctx, j1, j2, autres):
    programmer(ctx, j1, j2, AUTRES_STAGIAIRES if autres is None else int(autres))


@when(parsers.re(rf"l'agent tente de programmer une session les (?P<j1>{DATE}) et (?P<j2>{DATE})"))
def tentative_session(ctx, j1, j2):
    ctx.reponse = ctx.api.post("/api/v1/sessions", {"centre": ctx.centre, "day1": d(j1),
                                                    "day2": d(j2), "capacity": 20})


@given("le conducteur s'inscrit à cette session")
@when("le conducteur s'inscrit à cette session")
def inscription(ctx):
    inscrire(ctx)


@given(parsers.re(rf"le conducteur s'inscrit au stage des (?P<j1>{DATE}) et (?P<j2>{DATE})"))
@when(parsers.re(rf"le conducteur s'inscrit au stage des (?P<j1>{DATE}) et (?P<j2>{DATE})"))
def inscription_stage(ctx, j1, j2):
    programmer(ctx, j1, j2)
    inscrire(ctx)


@when("l'agent tente d'inscrire le conducteur à cette session")
def tentative_inscription(ctx):
    ctx.reponse = ctx.api.post(f"/api/v1/cases/{ctx.dossier['id']}/enrollment",
                               {"session": ctx.session["id"]})


@when(parsers.re(rf"la session est annulée le (?P<date>{DATE}) pour « (?P<motif>.+) »"))
def annulation(ctx, date, motif):
    ctx.avancer(date)  # a cancellation is recorded once it happened (never in the future)
    ctx.ok(ctx.api.post(f"/api/v1/sessions/{ctx.session['id']}/cancel",
                        {"on": d(date), "reason": motif}), "annuler la session")


def _desinscription(ctx: Contexte) -> str:
    return f"/api/v1/sessions/{ctx.session['id']}/enrollments/{ctx.dossier['id']}/cancel"


@when(parsers.re(rf"(?P<qui>le conducteur est désinscrit|le centre désinscrit le conducteur) "
                 rf"de la session le (?P<date>{DATE}) pour « (?P<motif>.+) »"))
def desinscription(ctx, qui, date, motif):
    """An agent (« le conducteur est désinscrit ») or the session's centre takes the trainee
    out of the session before it starts (docs/legal-decisions.md LD16)."""
    ctx.avancer(date)
    par = "agent" if qui.startswith("le conducteur") else "centre75"
    ctx.ok(ctx.api.post(_desinscription(ctx), {"reason": motif}, as_=par),
           "désinscrire le conducteur de la session")


@when(parsers.re(rf"l'agent tente de désinscrire le conducteur de cette session le "
                 rf"(?P<date>{DATE})"))
def tentative_desinscription(ctx, date):
    ctx.avancer(date)
    ctx.reponse = ctx.api.post(_desinscription(ctx), {"reason": "désistement"}, as_="agent")


# -- présence ---------------------------------------------------------------------------------
@given(parsers.re(rf"le conducteur (?:suit|a suivi) le stage des (?P<j1>{DATE}) et (?P<j2>{DATE})"))
@when(parsers.re(rf"le conducteur suit le stage des (?P<j1>{DATE}) et (?P<j2>{DATE})"))
def suit_le_stage(ctx, j1, j2):
    """Enrollment in a new session on those days, present on both days."""
    programmer(ctx, j1, j2)
    inscrire(ctx)
    emarger(ctx)


@given(parsers.re(rf"le conducteur a suivi un stage volontaire des (?P<j1>{DATE}) et "
                  rf"(?P<j2>{DATE}) crédité le (?P<le>{DATE})"))
@when(parsers.re(rf"le conducteur suit un stage volontaire des (?P<j1>{DATE}) et "
                 rf"(?P<j2>{DATE}) crédité le (?P<le>{DATE})"))
def stage_volontaire_complet(ctx, j1, j2, le):
    """A whole voluntary course: request, session, presence, attestation received and validated."""
    ctx.dossier = ctx.ok(ctx.api.post("/api/v1/cases", {"kind": "volontaire",
                                                        "licence": ctx.numero}),
                         "ouvrir le dossier de stage volontaire", 201)
    programmer(ctx, j1, j2)
    inscrire(ctx)
    emarger(ctx)
    attestation_recue(ctx, le)
    ctx.terminer("verification_attestation", "valider l'attestation", decision="valider")


@when(parsers.re(r"le conducteur est (?P<p1>présent|absent|en retard) le premier jour et "
                 r"(?P<p2>présent|absent|en retard) le second jour"))
def presence(ctx, p1, p2):
    emarger(ctx, PRESENCES[p1], PRESENCES[p2])


@when("le conducteur est présent les deux jours")
def present(ctx):
    emarger(ctx)


@when("le conducteur est absent le second jour")
def absent_jour2(ctx):
    emarger(ctx, "present", "absent")


# -- attestation ------------------------------------------------------------------------------
@when(parsers.re(rf"l'attestation (?:de stage )?est reçue (?:à la préfecture )?"
                 rf"le (?P<date>{DATE})"))
def attestation_recue(ctx, date):
    ctx.avancer(date)
    ctx.dossier = ctx.ok(ctx.api.post(f"/api/v1/cases/{ctx.dossier['id']}/attestation",
                                      {"received_on": d(date)}), "enregistrer l'attestation")


@when(parsers.re(rf"l'attestation est reçue et validée le (?P<date>{DATE})"))
def attestation_validee(ctx, date):
    attestation_recue(ctx, date)
    ctx.terminer("verification_attestation", "valider l'attestation", decision="valider")


@when(parsers.re(rf"l'agent tente d'enregistrer une attestation reçue le (?P<date>{DATE})"))
def tentative_attestation(ctx, date):
    ctx.avancer(date)
    ctx.reponse = ctx.api.post(f"/api/v1/cases/{ctx.dossier['id']}/attestation",
                               {"received_on": d(date)})


@then(parsers.re(r"la session porte le signalement (?P<regle>[RDQ]\d+)"))
def drapeau_session(ctx, regle):
    session = ctx.ok(ctx.api.get(f"/api/v1/sessions/{ctx.session['id']}"),
                     "consulter la session")
    regles = [f["rule"] for f in session["flags"]]
    assert regle in regles, (f"Signalement attendu sur la session : {regle} ; signalements "
                             f"obtenus : {', '.join(regles) or 'aucun'}")


@then(parsers.re(r"la session est (?P<etat>programmée|tenue|annulée)"))
def etat_session(ctx, etat):
    session = ctx.ok(ctx.api.get(f"/api/v1/sessions/{ctx.session['id']}"),
                     "consulter la session")
    libelles = {"planned": "programmée", "held": "tenue", "cancelled": "annulée"}
    verifier(libelles.get(session["status"], session["status"]), etat, "état de la session")


@then(parsers.re(r"la session compte (?P<nombre>\d+) stagiaires? inscrits?"))
def inscrits_session(ctx, nombre):
    """The trainees still holding a seat (a closed case's seat is released before the session
    starts, docs/legal-decisions.md LD4)."""
    session = ctx.ok(ctx.api.get(f"/api/v1/sessions/{ctx.session['id']}"),
                     "consulter la session")
    inscrits = sum(1 for e in session["enrollments"] if e["status"] == "enrolled")
    verifier(inscrits, int(nombre), "stagiaires inscrits à la session")
