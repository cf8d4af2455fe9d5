"""French messages for what lxml (XML Schema) and SpiffWorkflow's parser report in English.

A designer reads these next to the faulty element on the diagram: each message names the element
or attribute concerned, and no English text of the libraries leaks through (the original is kept
out of the message on purpose; the element id and line say where to look).
"""

from __future__ import annotations

import re

_PREFIXES = {
    "http://www.omg.org/spec/BPMN/20100524/MODEL": "bpmn",
    "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi",
    "http://www.omg.org/spec/DD/20100524/DC": "dc",
    "http://www.omg.org/spec/DD/20100524/DI": "di",
    "http://www.w3.org/2001/XMLSchema-instance": "xsi",
}
_QNAME = re.compile(r"\{([^}]*)\}([\w.-]+)")


def short_name(qname: str) -> str:
    """'{http://www.omg.org/spec/BPMN/20100524/MODEL}userTask' → 'bpmn:userTask'."""

    def repl(m: re.Match) -> str:
        prefix = _PREFIXES.get(m.group(1))
        return f"{prefix}:{m.group(2)}" if prefix else m.group(2)

    return _QNAME.sub(repl, qname)


def _expected(rest: str) -> str:
    m = re.search(r"Expected is(?: one of)? \( ?(.*?) ?\)", rest)
    if not m:
        return ""
    names = [short_name(n.strip()) for n in m.group(1).split(",") if n.strip()]
    shown = ", ".join(names[:6]) + (", …" if len(names) > 6 else "")
    return f" (attendu : {shown})"


_SCHEMA_HEAD = re.compile(
    r"^Element '(?P<el>[^']+)'(?:, attribute '(?P<attr>[^']+)')?: (?P<rest>.*)$", re.S)
_NCNAME = re.compile(r"^[A-Za-z_][\w.-]*$")


# libxml2's XML Schema errors after "Element '…'[, attribute '…']: ", matched in this order;
# each French text is formatted with the groups (names shortened), {el}, {where}, {expected}.
_SCHEMA = [(re.compile(pattern, re.S), french) for pattern, french in (
    (r"This element is not expected",
     "schéma BPMN 2.0 : élément « {el} » inattendu à cet endroit{expected}"),
    (r"^Missing child element",
     "schéma BPMN 2.0 : élément enfant manquant dans « {el} »{expected}"),
    (r"No matching global declaration",
     "schéma BPMN 2.0 : élément « {el} » inconnu (espace de noms manquant ?)"),
    (r"The attribute '([^']+)' is not allowed",
     "schéma BPMN 2.0 : attribut « {0} » non permis sur « {el} »"),
    (r"The attribute '([^']+)' is required but missing",
     "schéma BPMN 2.0 : attribut obligatoire « {0} » absent de « {el} »"),
    (r"The value '([^']*)' is not an element of the set \{(.*)\}",
     "schéma BPMN 2.0 : valeur « {0} » non permise pour {where} (valeurs possibles : {1})"),
    (r"^'(.*)' is not a valid value of the (?:atomic type '([^']+)'|(\w+) type)", None),
    (r"Character content other than whitespace is not allowed",
     "schéma BPMN 2.0 : texte non permis dans « {el} »"),
    (r"No match found for key-sequence \['([^']*)'\]",
     "référence « {0} » vers un élément inexistant"),
    (r"Duplicate key-sequence \['([^']*)'\]", "identifiant « {0} » en double dans le fichier"),
    (r"The QName value '([^']*)' (?:does not resolve|has no corresponding)",
     "schéma BPMN 2.0 : référence « {0} » introuvable ({where})"),
)]


def _invalid_value(found: re.Match, where: str) -> str:
    value, type_ = found.group(1), found.group(2) or found.group(3)
    if type_ == "xs:ID" and _NCNAME.match(value):
        return f"identifiant « {value} » en double dans le fichier"
    if type_ == "xs:ID":
        return f"identifiant « {value[:80]} » invalide (lettres, chiffres, _ . -)"
    return f"schéma BPMN 2.0 : valeur « {value[:80]} » invalide pour {where} ({type_})"


def schema_message(message: str) -> str:
    """One libxml2 XML Schema error in French."""
    m = _SCHEMA_HEAD.match(message.strip())
    if not m:
        return "non conforme au schéma BPMN 2.0"
    el = short_name(m.group("el"))
    attr = m.group("attr")
    rest = m.group("rest")
    where = f"l'attribut « {attr} » de « {el} »" if attr else f"« {el} »"
    for pattern, french in _SCHEMA:
        found = pattern.search(rest)
        if found and french is None:
            return _invalid_value(found, where)
        if found:
            return french.format(*(short_name(g) for g in found.groups()), el=el, where=where,
                                 expected=_expected(rest))
    return f"non conforme au schéma BPMN 2.0 ({where})"


# SpiffWorkflow's parser messages (ValidationException and friends), matched on a fragment.
_ENGINE = [
    ("There is no support implemented for this task type", "élément BPMN non pris en charge"),
    ("Multiple outgoing flows are not supported",
     "plusieurs flux sortants sur une tâche : utilisez une passerelle"),
    ("No start event found", "aucun événement de début"),
    ("is not executable", "le processus n'est pas exécutable"),
    ("When looking for a task spec",
     "flux de séquence vers un élément inexistant, ou identifiant en double"),
    ("Duplicate process ID", "identifiant de processus en double"),
    ("Expected a Message node", "message introuvable (messageRef)"),
    ("Could not find messageRef", "message introuvable (messageRef)"),
    ("Message identifier is missing", "message sans identifiant"),
    ("Expected a Signal node", "signal introuvable (signalRef)"),
    ("Expected an Error node", "erreur introuvable (errorRef)"),
    ("Expected an error node", "erreur introuvable (errorRef)"),
    ("Expected an Escalation node", "escalade introuvable (escalationRef)"),
    ("Signal identifier is missing", "signal sans identifiant"),
    ("Error identifier is missing", "erreur sans identifiant"),
    ("Escalation identifier is missing", "escalade sans identifiant"),
    ("Correlation identifier is missing", "propriété de corrélation sans identifiant"),
    ("Correlation is missing correlation property retrieval",
     "propriété de corrélation sans expression de récupération"),
    ("missing from correlation property", "propriété de corrélation sans message"),
    ("has no implementation", "magasin de données (dataStore) non pris en charge"),
    ("Data Store identifier is missing", "magasin de données sans identifiant"),
    ("Data Store name is missing", "magasin de données sans nom"),
    ("was not found. Did you mean", "processus appelé introuvable"),
    ("No \"calledElement\" attribute", "activité d'appel sans processus appelé (calledElement)"),
    ("Exactly one start event is required", "un sous-processus exige un seul événement de début"),
    ("A SubWorkflow Must contain an End event", "un sous-processus exige un événement de fin"),
    ("Non-default exclusive outgoing sequence flow without condition",
     "flux sortant d'une passerelle exclusive sans condition (et qui n'est pas le flux par "
     "défaut)"),
    ("Invalid Script Task", "tâche de script sans script"),
    ("Unknown Time Specification", "minuterie sans date, durée ni cycle"),
    ("Time Specification Error", "minuterie invalide"),
    ("must specify a cardinality or a collection",
     "tâche multi-instance sans cardinalité ni collection"),
    ("must specify a cardinality or a loop input data reference",
     "multi-instance sans cardinalité (loopCardinality) ni collection d'entrée "
     "(loopDataInputRef) : indiquez le nombre d'instances ou la liste à parcourir, ou retirez "
     "le marqueur multi-instance"),
    ("must specify exactly one of cardinality or loop input data reference",
     "multi-instance avec à la fois une cardinalité et une collection d'entrée : gardez-en une"),
    ("No DMN Diagram available with id", "table de décision introuvable (camunda:decisionRef)"),
    ("Malformed Output Expression",
     "cellule de sortie mal formée : écrivez une expression Python (par exemple \"haute\", 3 "
     "ou True)"),
    ("Unknown type in decision table",
     "élément inconnu dans la table de décision (seuls input, output et rule y sont permis)"),
    ("A loopMaximum or loopCondition must be specified",
     "boucle sans maximum (loopMaximum) ni condition (loopCondition)"),
    ("loop input data reference is missing", "donnée d'entrée de la boucle absente"),
    ("loop output data reference is missing", "donnée de sortie de la boucle absente"),
    ("Cannot resolve dataInputAssociation", "association de données d'entrée introuvable"),
    ("Cannot resolve dataOutputAssociation", "association de données de sortie introuvable"),
    ("Cancel Events may only be used with transactions",
     "un événement d'annulation n'est permis que dans une transaction"),
    ("Sequential ordering for ad hoc subprocesses", "sous-processus ad hoc séquentiel non pris "
     "en charge"),
    ("Ad hoc subprocesses may not contain start or end events",
     "un sous-processus ad hoc ne peut contenir d'événement de début ou de fin"),
    ("Conditional event definition with missing condition",
     "événement conditionnel sans condition"),
    ("No decisions found", "aucune table de décision (DMN)"),
    ("Multiple decision tables", "plusieurs tables de décision (DMN) non prises en charge"),
    ("A Service Task must have an operator", "tâche de service sans opérateur"),
]


# What the designer sees an element as (the palette's words), by local tag name.
ELEMENT_KINDS = {
    "task": "tâche", "userTask": "tâche utilisateur", "serviceTask": "tâche de service",
    "scriptTask": "tâche de script", "businessRuleTask": "tâche de règle métier",
    "sendTask": "tâche d'envoi", "receiveTask": "tâche de réception",
    "manualTask": "tâche manuelle", "callActivity": "activité d'appel",
    "subProcess": "sous-processus", "transaction": "transaction",
    "adHocSubProcess": "sous-processus ad hoc", "startEvent": "événement de début",
    "endEvent": "événement de fin", "intermediateCatchEvent": "événement intermédiaire",
    "intermediateThrowEvent": "événement intermédiaire", "boundaryEvent": "événement de bordure",
    "exclusiveGateway": "passerelle exclusive", "parallelGateway": "passerelle parallèle",
    "inclusiveGateway": "passerelle inclusive", "eventBasedGateway": "passerelle événementielle",
    "complexGateway": "passerelle complexe", "sequenceFlow": "flux de séquence",
    "process": "processus", "lane": "couloir", "dataStoreReference": "magasin de données",
    "dataObjectReference": "objet de données", "message": "message", "signal": "signal",
    "error": "erreur", "escalation": "escalade",
}


def element_label(tag: str | None, element_id: str | None, name: str | None = None) -> str:
    """« tâche utilisateur « Vérifier » (t1) », « passerelle exclusive « g1 » »: what a message
    says of the element it is about."""
    local = short_name(tag or "").rpartition(":")[2]
    kind = ELEMENT_KINDS.get(local, f"élément {local}" if local else "élément")
    name = " ".join((name or "").split())[:80]
    if name and element_id and name != element_id:
        return f"{kind} « {name} » ({element_id})"
    return f"{kind} « {element_id or name} »" if (element_id or name) else kind


def engine_message(text: str, tag: str | None = None, element: str | None = None) -> str:
    """A SpiffWorkflow parser error in French: `element` (element_label) first when known, else
    the tag of the element; one the table does not know still names it and says what to do."""
    flat = " ".join(str(text).split())
    suffix = f" ({short_name(tag)})" if tag and not element else ""
    prefix = f"{element} : " if element else ""
    for needle, french in _ENGINE:
        if needle in flat:
            return f"{prefix}{french}{suffix}"
    if flat.startswith("Element '"):
        return prefix + schema_message(flat)
    if element:
        return (f"{element} : refusé par le moteur BPMN, qui ne dit pas pourquoi ; vérifiez "
                "ses propriétés (type, marqueurs, références vers d'autres éléments) ou "
                "remplacez-le par un élément pris en charge (docs/designers.md, « Validation »)")
    return f"élément refusé par le moteur BPMN{suffix}"
