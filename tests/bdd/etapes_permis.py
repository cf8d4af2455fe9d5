"""Steps about the licence: creation, infractions, 48SI, balance, cap and ledger."""

from __future__ import annotations

import datetime as dt

from pytest_bdd import given, parsers, then, when

from tests.bdd.outils import DATE, Contexte, d, fr, jour, verifier
from tests.helpers import birth_date_for

TYPES = {"probatoire": "classic", "probatoire classique": "classic", "probatoire AAC": "aac",
         "non probatoire": "none"}
MOUVEMENTS = {"une majoration": "majoration", "une restitution": "restitution",
              "un retrait": "retrait", "un crédit de stage": "stage"}


def creer_permis(ctx: Contexte, obtenu: str, type_: str = "classic", points=None, au=None):
    body = {"number": ctx.numero,
            "holder": {"last_name": "Martin", "first_name": "Léa",
                       "birth_date": birth_date_for(jour(obtenu)).isoformat()},
            "obtained_on": d(obtenu), "probation": type_, "formation_complementaire": False}
    if points is not None:
        body["balance"] = {"points": points, "on": d(au or obtenu)}
    ctx.avancer(obtenu)  # a licence is registered once obtained (never in the future)
    if au:
        ctx.avancer(au)  # an imported balance, once its day has come
    return ctx.ok(ctx.api.post("/api/v1/licences", body), "enregistrer le permis", 201)


def enregistrer_infraction(ctx: Contexte, points: int, commise: str, decidee=None, payee=None,
                           amende: int = 135, nature: str = "forfaitaire", classe: str = "C4",
                           tentative: bool = False):
    """The infraction as the clerk records it; `tentative`: its answer is kept for « la demande
    est refusée en citant la règle … » or « la demande est acceptée », not checked here."""
    body = {"committed_on": d(commise), "points": points, "offence_class": classe,
            "label": "Excès de vitesse", "decision_on": d(decidee or commise),
            "established_on": d(payee or commise),
            "fine": {"amount": amende, "kind": nature, "paid_on": d(payee or commise)}}
    # a retrait is registered once decided (R8), its fine once paid: never in the future
    ctx.avancer(max((commise, decidee, payee), key=lambda t: jour(t) if t else dt.date.min))
    ctx.reponse = ctx.api.post(f"/api/v1/licences/{ctx.numero}/infractions", body)
    if tentative:
        if ctx.reponse.status_code == 201:
            ctx.infraction = ctx.reponse.get_json()
        return ctx.infraction
    ctx.infraction = ctx.ok(ctx.reponse, "enregistrer l'infraction", 201)
    return ctx.infraction


# -- Étant donné ------------------------------------------------------------------------------
@given(parsers.re(rf"un permis (?P<type_>probatoire|probatoire classique|probatoire AAC|"
                  rf"non probatoire) obtenu le (?P<obtenu>{DATE})"))
def permis_probatoire(ctx, type_, obtenu):
    creer_permis(ctx, obtenu, TYPES[type_])


@given(parsers.re(rf"un permis (?P<type_>probatoire|probatoire classique|probatoire AAC) "
                  rf"obtenu le (?P<obtenu>{DATE}) avec (?P<points>\d+) points"))
def permis_probatoire_avec_points(ctx, type_, obtenu, points):
    """A probationary licence (6 points when obtained) that lost 6 − N points for an infraction
    committed five months after it was obtained (the infraction of the 48N). More than 6 is
    refused in French rather than silently read as 6: a probationary licence has 6 points when
    obtained (R2) and gains more only at an anniversary without infraction (R3, cap R4)."""
    if int(points) > 6:
        raise AssertionError(
            f"« avec {points} points » est impossible ici : un permis probatoire a 6 points à "
            "son obtention (R2) et cette phrase lui retire 6 − N points par une infraction "
            "commise 5 mois après : N va de 0 à 6. Un permis probatoire n'a davantage de "
            "points qu'après une date anniversaire sans infraction (R3, plafond R4) : écrire "
            f"« un permis {type_} obtenu le {obtenu} avec {points} points au JJ/MM/AAAA »")
    creer_permis(ctx, obtenu, TYPES[type_])
    perdus = 6 - int(points)
    if perdus > 0:
        o = jour(obtenu)
        commise = dt.date(o.year + (o.month + 4) // 12, (o.month + 4) % 12 + 1, 1)
        enregistrer_infraction(ctx, perdus, commise.strftime("%d/%m/%Y"))


@given(parsers.re(rf"un permis (?P<type_>probatoire|probatoire classique|probatoire AAC|"
                  rf"non probatoire) obtenu le (?P<obtenu>{DATE}) avec (?P<points>-?\d+) points? "
                  rf"au (?P<au>{DATE})"))
def permis_avec_solde(ctx, type_, obtenu, points, au):
    creer_permis(ctx, obtenu, TYPES[type_], int(points), au)


@given(parsers.re(rf"un permis non probatoire avec (?P<points>-?\d+) points? au (?P<au>{DATE})"))
def permis_non_probatoire(ctx, points, au):
    creer_permis(ctx, "01/01/2010", "none", int(points), au)


@given(parsers.re(rf"un centre dont l'agrément a expiré le (?P<fin>{DATE})"))
def centre_expire(ctx, fin):
    ctx.ok(ctx.api.post("/api/v1/centres", {"agrement": "R2407500099", "name": "Centre fermé",
                                            "departement": "75", "valid_until": d(fin)}),
           "enregistrer le centre", 201)
    ctx.centre = "R2407500099"


INFRACTION = (rf"une infraction de (?P<points>\d+) points? (?:de classe (?P<classe>C[1-5]|délit) )?"
              rf"commise le (?P<commise>{DATE})"
              rf"(?:, décidée le (?P<decidee>{DATE}))?"
              rf"(?:,? (?:et )?payée le (?P<payee>{DATE}))?"
              rf"(?: \(amende (?P<nature>forfaitaire|majorée|judiciaire|de composition pénale) "
              rf"de (?P<amende>\d+) €\))?")


def _infraction(ctx, points, classe, commise, decidee, payee, nature, amende, tentative=False):
    natures = {"majorée": "majoree", "de composition pénale": "composition_penale"}
    enregistrer_infraction(ctx, int(points), commise, decidee, payee,
                           int(amende) if amende else 135, natures.get(nature, nature or
                                                                        "forfaitaire"),
                           {"délit": "delit"}.get(classe, classe or "C4"), tentative)


@given(parsers.re(INFRACTION))
@when(parsers.re(INFRACTION + " est enregistrée"))
def infraction(ctx, points, classe, commise, decidee, payee, nature, amende):
    _infraction(ctx, points, classe, commise, decidee, payee, nature, amende)


@when(parsers.re("l'agent tente d'enregistrer " + INFRACTION))
def tentative_infraction(ctx, points, classe, commise, decidee, payee, nature, amende):
    """The clerk records an infraction the application may refuse (R5: at most 6 points, a
    délit 6, the same day's retraits within 8; R7, R8: dates in order): its answer is checked
    by « la demande est refusée en citant la règle … » or « la demande est acceptée »."""
    _infraction(ctx, points, classe, commise, decidee, payee, nature, amende, tentative=True)


@given(parsers.re(rf"une infraction de (?P<points>\d+) points? commise le (?P<commise>{DATE}) "
                  r"sans renseignement sur l'amende"))
def infraction_sans_amende(ctx, points, commise):
    body = {"committed_on": d(commise), "points": int(points), "offence_class": "C4",
            "label": "Excès de vitesse", "decision_on": d(commise),
            "established_on": d(commise)}
    ctx.avancer(commise)  # registered once committed (never in the future)
    ctx.infraction = ctx.ok(ctx.api.post(f"/api/v1/licences/{ctx.numero}/infractions", body),
                            "enregistrer l'infraction", 201)


# -- Quand ------------------------------------------------------------------------------------
@when(parsers.re(rf"la 48SI est notifiée le (?P<notifiee>{DATE}) "
                 rf"\(décision du (?P<decision>{DATE})\)"))
def invalidation(ctx, notifiee, decision):
    ctx.avancer(notifiee)
    ctx.ok(ctx.api.post(f"/api/v1/licences/{ctx.numero}/invalidation",
                        {"decision_on": d(decision), "notified_on": d(notifiee)}),
           "enregistrer la 48SI", 201)


# -- Alors ------------------------------------------------------------------------------------
@then(parsers.re(r"le solde du permis est de (?P<points>-?\d+) points?"))
def solde(ctx, points):
    permis = ctx.ok(ctx.api.get(f"/api/v1/licences/{ctx.numero}"), "consulter le permis")
    verifier(permis["balance"], int(points), "solde", "points")


@then(parsers.re(r"l'infraction (?P<effet>déclenche une|ne déclenche pas de) lettre 48N, "
                 r"l'explication citant « (?P<texte>.+) »"))
def declenchement_48n(ctx, effet, texte):
    inf = ctx.infraction
    verifier(inf["triggers_48n"], effet == "déclenche une", "déclenchement de la lettre 48N")
    assert texte in (inf.get("explanation") or ""), (
        f"Explication attendue : « {texte} » ; obtenue : « {inf.get('explanation')} »")


@then(parsers.re(rf"le solde du permis au (?P<au>{DATE}) est de (?P<points>-?\d+) points?"))
def solde_au(ctx, au, points):
    rep = ctx.ok(ctx.api.get(f"/api/v1/licences/{ctx.numero}/balance", on=d(au)),
                 "consulter le solde")
    verifier(rep["balance"], int(points), f"solde au {au}", "points")


@then(parsers.re(r"le plafond du permis est de (?P<points>\d+) points"))
def plafond(ctx, points):
    permis = ctx.ok(ctx.api.get(f"/api/v1/licences/{ctx.numero}"), "consulter le permis")
    verifier(permis["cap"], int(points), "plafond", "points")


@then(parsers.re(rf"le plafond du permis au (?P<au>{DATE}) est de (?P<points>\d+) points"))
def plafond_au(ctx, au, points):
    rep = ctx.ok(ctx.api.get(f"/api/v1/licences/{ctx.numero}/balance", on=d(au)),
                 "consulter le solde")
    verifier(rep["cap"], int(points), f"plafond au {au}", "points")


@then(parsers.re(r"le permis (?P<etat>est|n'est plus) valide"))
def validite(ctx, etat):
    permis = ctx.ok(ctx.api.get(f"/api/v1/licences/{ctx.numero}"), "consulter le permis")
    verifier("valide" if permis["valid"] else "non valide",
             "valide" if etat == "est" else "non valide", "état du permis")


@then(parsers.re(rf"le relevé du permis contient (?P<quoi>une majoration|une restitution|"
                 rf"un retrait|un crédit de stage) de (?P<points>-?\d+) points? "
                 rf"au (?P<au>{DATE})"))
def mouvement(ctx, quoi, points, au):
    """A movement of the licence's record at its effective date (R44). « un retrait de 3
    points » is the relevé's −3 (API.md: a retrait's points are negative)."""
    permis = ctx.ok(ctx.api.get(f"/api/v1/licences/{ctx.numero}"), "consulter le permis")
    mouvements = [(m["kind"], m["points"], m["effective_on"]) for m in permis["movements"]]
    nombre = -abs(int(points)) if quoi == "un retrait" else int(points)
    attendu = (MOUVEMENTS[quoi], nombre, d(au))
    lisible = "; ".join(_mouvement_lisible(k, p, e) for k, p, e in mouvements) or "aucun"
    assert attendu in mouvements, (
        f"Mouvement attendu : {quoi} de {abs(int(points))} points au {au} ; "
        f"mouvements du relevé : {lisible}")


def _mouvement_lisible(kind: str, points: int, effet: str) -> str:
    """« un retrait de 3 points au 20/02/2026 », as the step writes it."""
    if kind == "solde":
        return f"un solde connu de {points} points au {fr(effet)}"
    quoi = next((k for k, v in MOUVEMENTS.items() if v == kind), kind)
    return f"{quoi} de {abs(points)} point{'s' if abs(points) > 1 else ''} au {fr(effet)}"
