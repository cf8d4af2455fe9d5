"""The engines' extensions a diagram may carry (Camunda 7, Camunda 8/Zeebe, Flowable, Activiti,
SpiffWorkflow/SpiffArena) that this application's engine does not honour: each is told to the
designer instead of being silently ignored (docs/designers.md, « Extensions Camunda et autres
moteurs »).

The modeler's properties panel (Camunda Platform provider) writes Camunda 7's extensions, and a
file made in another tool brings its own engine's. The application reads a few of Camunda's
(the conventions of docs/process-bundle.md: a user task's `camunda:formRef` and `camunda:dueDate`,
a business-rule task's `camunda:decisionRef`, a service task's `camunda:type="external"`,
`camunda:topic` and input parameters, and `camunda:properties` anywhere). Any other is a
**finding**:

- *blocking* (a problem: the bundle is not deployed) when its absence would change what the
  process does — a listener that would not run, an asynchronous continuation, a Java class or
  an expression a service task would not call, an assignment, a form that would not show…;
- a *warning* (told, not blocking) when it only describes the model for another tool and
  changes nothing in how a case goes (`camunda:historyTimeToLive`, `camunda:versionTag`…).

SpiffWorkflow's own namespace (`spiffworkflow:`, what SpiffArena's modeler writes) is read by
the library's parser, which the application's `definitions.ProcessParser` extends, but not
everywhere: the application replaces the service-task and business-rule-task parsers (catalogue
actions, `camunda:decisionRef`), and completes a user task by merging the form's data, never
through the task's variable. What is honoured is not told:

- `preScript`/`postScript` in the extensions of a task, manual or user task, sub-process,
  transaction, call activity, receive or send task (the elements whose parser passes them on):
  run by the run's restricted script engine (`script_env.make_script_engine`, never the
  library's default `exec`), their code checked at validation like any script;
- `messagePayload`, `messageVariable`, `processVariableCorrelation` within a message, a message
  event definition or a receive/send task, and `payloadExpression`, `variableName` in the
  extensions of a signal, an error or an escalation (checked at validation as expressions and
  variable names);
- `scriptsOnInstances` on a multi-instance marker, a data object's `category`.

Everywhere else they are ignored and blocking (a pre- or post-script on a script task, a service
or business-rule task or an event; `serviceTaskOperator`, `calledDecisionId`, a user task's
`variableName`, `allowGuest`, properties naming a status, a group or SpiffArena's form…), or
warnings when only descriptive (`instructionsForEndUser`, `unitTests`, other `properties`…). An
empty one (`<spiffworkflow:variableName />`, as SpiffArena writes them) asks for nothing: not
told.

Other tools' namespaces: the modelers' own bookkeeping — layout, colours, translations, design
metadata: `_MODELERS` (Camunda Modeler's `modeler:`, Flowable's design namespaces, Signavio,
Bizagi, Yaoqiang, Visual Paradigm, W4's graphics, ITP, ARIS…) — is not an engine feature and is
not told. Any other namespace's element in the `bpmn:extensionElements` of a flow element (a
task, an event, a gateway, a flow: jBPM's `drools:`, Trisotech's modeling, ADONIS, KnowProcess…)
is a *warning* naming the namespace, once per element and namespace. Not blocking: what it did
in its tool cannot be known here (only the engines above have their features listed, so only
they can be told apart as behaviour or description), and refusing every file of every modeler
for its metadata would refuse the harmless with the rest; the warning says to draw, with what
the application reads, whatever the extension did. Not told: those tools' attributes (in
practice their authoring state, Trisotech's `readOnly` on every element) and their extensions
of the document, a process, a lane or a definition (authoring data, no step of a case).

Camunda's own bookkeeping (`camunda:diagramRelationId`, element templates' ids) is not told
either.

Pure: reads an lxml tree, never raises on any input (`findings`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from SpiffWorkflow.bpmn.parser.util import BPMN_MODEL_NS

from . import problems_fr
from .clerk_view import CAMUNDA_NS

ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
FLOWABLE_NS = "http://flowable.org/bpmn"
ACTIVITI_NS = "http://activiti.org/bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
# the engines whose extensions are checked, by the prefix their messages use
ENGINES = {CAMUNDA_NS: "camunda", ZEEBE_NS: "zeebe", FLOWABLE_NS: "flowable",
           ACTIVITI_NS: "activiti", SPIFF_NS: "spiffworkflow"}
_B = f"{{{BPMN_MODEL_NS}}}"
# Not extensions: the BPMN model and diagram, XML Schema instances, XML itself.
_STANDARD = frozenset({
    BPMN_MODEL_NS, "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC", "http://www.omg.org/spec/DD/20100524/DI",
    "http://www.w3.org/2001/XMLSchema-instance", "http://www.w3.org/XML/1998/namespace",
})
# The modelers' own bookkeeping (layout, colours, translations, design and authoring
# metadata), not an engine feature: never told.
_MODELERS = frozenset({
    "http://camunda.org/schema/modeler/1.0",  # Camunda Modeler: execution platform
    "http://flowable.org/design", "http://flowable.org/modeler",  # Flowable Design
    "http://bpmn.io/schema/bpmn/biocolor/1.0",  # bpmn.io colours
    "http://www.omg.org/spec/BPMN/non-normative/color/1.0",  # OMG colours
    "http://www.omg.org/spec/BPMN/non-normative/extensions/i18n/1.0",  # OMG translations
    "http://www.signavio.com",  # Signavio: metadata, labels, stencils
    "http://www.bizagi.com/bpmn20",  # Bizagi Modeler's properties
    "http://bpmn.sourceforge.net",  # Yaoqiang: page format
    "http://www.visual-paradigm.com/bpmn/vpspecificcontent",  # Visual Paradigm: layout
    "http://www.w4.eu/spec/BPMN/20110930/GRAPH",  # W4: graphic style
    "http://open-bpmn.org/XMLSchema",  # Open BPMN: alignment
    "http://www.itp-commerce.com/BPMN2.0",  # ITP Commerce: authoring data
    "http://www.trisotech.com/2014/triso/bpmn",  # Trisotech: logos
    "http://www.softwareag.com/aris/ebpmn",  # ARIS: its object types
    "http://www.omg.org/XMI",  # XMI version
})

# What the application reads of Camunda's extensions: (attribute, element it is honoured on).
HONOURED_ATTRIBUTES = frozenset({
    ("formRef", "userTask"), ("dueDate", "userTask"), ("decisionRef", "businessRuleTask"),
    ("topic", "serviceTask"), ("type", "serviceTask"),
})
# camunda:dueDate elsewhere is told by clerk_view (« seule une tâche utilisateur a une
# échéance »): not told twice
_TOLD_ELSEWHERE = frozenset({"dueDate"})
# Bookkeeping of the modelers, not an engine feature: never told.
_TOOLING = frozenset({"diagramRelationId", "modelerTemplate", "modelerTemplateVersion",
                      "modelerTemplateIcon"})


@dataclass(frozen=True)
class Finding:
    element_id: str | None
    line: int | None
    message: str
    blocking: bool


@dataclass(frozen=True)
class Feature:
    """How a message names an extension: the French words (with their article), their gender
    and number for the agreement (« m », « f », « mp », « fp »), and what to do instead."""

    words: str
    agreement: str
    instead: str
    blocking: bool = True
    # a warning says « sans effet sur le déroulement des dossiers » (False: unknown to us)
    no_effect: bool = True


# What the engine offers instead, as the designer finds it in the editor.
_SCRIPT_OR_ACTION = ("Utilisez à la place une tâche de script (Python) avant ou après "
                     "l'élément, ou une tâche de service qui appelle une action du catalogue "
                     "(« Action du catalogue »).")
_ACTION = ("Utilisez à la place une tâche de service qui appelle une action du catalogue "
           "(« Action du catalogue », camunda:topic).")
_FORM = ("Utilisez à la place le formulaire de la tâche (bouton « Formulaire de la tâche », "
         "camunda:formRef).")
_GROUP = ("Utilisez à la place un couloir dont la propriété d'extension « groupe » nomme le "
          "groupe d'agents, ou l'action « Affecter une tâche à un groupe ».")
_NO_START = ("Les dossiers sont ouverts par l'application (API des dossiers), jamais par un "
             "utilisateur qui démarrerait le processus : retirez cette extension.")
_ALL_DATA = ("Une activité d'appel reçoit toutes les données du processus et les lui rend : "
             "retirez-la, et préparez les données dans une tâche de script si besoin.")
_SYNC = ("Le moteur exécute chaque étape dans la commande qui l'atteint ; ce qui part vers "
         "l'extérieur (le courriel de « Prévenir le centre de stage ») passe déjà par les envois "
         "différés : retirez-la.")
_IN_SCRIPT = "Écrivez le script (Python) dans l'élément lui-même."
_TABLE_OUTPUTS = ("Les sorties d'une table de décision vont dans les données sous le nom de "
                  "chacune de ses colonnes de sortie : retirez-la.")
_DUE = "Utilisez à la place l'échéance de la tâche (« Échéance », camunda:dueDate)."
_REMINDER = ("Utilisez à la place une relance : une minuterie de bordure non interruptive sur "
             "la tâche.")
_MULTI = ("Utilisez à la place la multi-instance BPMN : une cardinalité (loopCardinality) ou "
          "une collection d'entrée (loopDataInputRef) et son élément (inputDataItem).")
_INCIDENT = ("Une action qui échoue est un incident sur le dossier, que les concepteurs "
             "voient et résolvent ; les envois vers l'extérieur sont retentés par les envois "
             "différés : retirez-le.")
_ERROR_PATHS = ("Le moteur ne met ni le code ni le message de l'erreur dans les données : "
                "dessinez un événement de bordure par code d'erreur.")
# Warnings: ignored, and nothing of how a case goes depends on them.
_NO_EFFECT = "sans effet sur le déroulement des dossiers"
_NEVER_ASYNC = "Les étapes ne sont jamais asynchrones ici."
_SAME_FILE = "L'activité d'appel appelle toujours le processus du même fichier."
_BUNDLE_TABLE = "La table est toujours celle du paquet (decisions/<identifiant>.dmn)."
_BUNDLE_FORM = "Le formulaire est toujours celui du paquet (forms/<identifiant>.form)."
_CALL_PROCESS = "Appelez à la place un processus du même fichier (calledElement)."
_VERSIONS = "Les versions sont numérotées par l'application."


def _described(words: str, agreement: str, instead: str) -> Feature:
    """A warning: what only describes the model for another tool."""
    return Feature(words, agreement, instead, blocking=False)


# Attributes of Camunda 7 (and of Flowable and Activiti, which use the same names), by name.
_ATTRIBUTES: dict[str, Feature] = {
    "async": Feature("la continuation asynchrone", "f", _SYNC),
    "asyncBefore": Feature("la continuation asynchrone avant l'élément", "f", _SYNC),
    "asyncAfter": Feature("la continuation asynchrone après l'élément", "f", _SYNC),
    "exclusive": _described("la tâche asynchrone non exclusive", "f", _NEVER_ASYNC),
    "jobPriority": _described("la priorité des tâches asynchrones", "f", _NEVER_ASYNC),
    "taskPriority": _described("la priorité des tâches externes", "f",
                               "Une action du catalogue s'exécute dès que le dossier "
                               "l'atteint."),
    "class": Feature("l'implémentation par une classe Java", "f", _ACTION),
    "expression": Feature("l'implémentation par une expression", "f", _ACTION),
    "delegateExpression": Feature("l'implémentation par une expression de délégué", "f",
                                  _ACTION),
    "resultVariable": Feature("la variable de résultat", "f",
                              "Une action du catalogue n'écrit rien dans les données : "
                              "calculez la valeur dans une tâche de script (Python)."),
    "type": Feature("le type d'implémentation", "m", _ACTION),
    "topic": Feature("la tâche externe", "f", _ACTION),
    "formKey": Feature("le formulaire intégré ou externe", "m", _FORM),
    "formHandlerClass": Feature("le gestionnaire de formulaire Java", "m", _FORM),
    "formRef": Feature("le formulaire", "m",
                       "Seule une tâche utilisateur a un formulaire (camunda:formRef)."),
    "formRefBinding": _described("la liaison du formulaire", "f", _BUNDLE_FORM),
    "formRefVersion": _described("la version du formulaire", "f", _BUNDLE_FORM),
    "initiator": Feature("la variable de l'initiateur", "f", _NO_START),
    "candidateStarterGroups": Feature("les groupes autorisés à démarrer le processus", "mp",
                                      _NO_START),
    "candidateStarterUsers": Feature("les utilisateurs autorisés à démarrer le processus", "mp",
                                     _NO_START),
    "versionTag": _described("l'étiquette de version", "f", _VERSIONS),
    "historyTimeToLive": _described("la durée de conservation de l'historique", "f",
                                    "L'historique des dossiers est conservé par l'application."),
    "isStartableInTasklist": _described("le démarrage depuis la liste des tâches", "m",
                                        "Les dossiers sont ouverts par l'application."),
    "assignee": Feature("l'attribution de la tâche à une personne", "f", _GROUP),
    "candidateUsers": Feature("les utilisateurs candidats", "mp", _GROUP),
    "candidateGroups": Feature("les groupes candidats", "mp", _GROUP),
    "followUpDate": Feature("la date de suivi", "f", _REMINDER),
    "priority": Feature("la priorité de la tâche", "f", _DUE),
    "dueDate": Feature("l'échéance", "f", _DUE),  # Flowable's and Activiti's
    "errorCodeVariable": Feature("la variable du code d'erreur", "f", _ERROR_PATHS),
    "errorMessageVariable": Feature("la variable du message d'erreur", "f", _ERROR_PATHS),
    "escalationCodeVariable": Feature("la variable du code d'escalade", "f",
                                      "Le moteur ne met pas le code de l'escalade dans les "
                                      "données : dessinez un événement de bordure par code."),
    "errorMessage": _described("le message de l'erreur", "m",
                               "Le code de l'erreur (errorCode) suffit à la reconnaître."),
    "calledElementBinding": _described("la liaison du processus appelé", "f", _SAME_FILE),
    "calledElementVersion": _described("la version du processus appelé", "f", _SAME_FILE),
    "calledElementVersionTag": _described("l'étiquette de version du processus appelé", "f",
                                          _SAME_FILE),
    "calledElementTenantId": _described("le locataire du processus appelé", "m", _SAME_FILE),
    "caseRef": Feature("l'appel d'un dossier CMMN", "m", _CALL_PROCESS),
    "caseBinding": Feature("la liaison du dossier CMMN", "f", _CALL_PROCESS),
    "caseVersion": Feature("la version du dossier CMMN", "f", _CALL_PROCESS),
    "caseTenantId": Feature("le locataire du dossier CMMN", "m", _CALL_PROCESS),
    "variableMappingClass": Feature("la correspondance des variables par une classe Java", "f",
                                    _ALL_DATA),
    "variableMappingDelegateExpression": Feature(
        "la correspondance des variables par une expression de délégué", "f", _ALL_DATA),
    "decisionRefBinding": _described("la liaison de la table de décision", "f", _BUNDLE_TABLE),
    "decisionRefVersion": _described("la version de la table de décision", "f", _BUNDLE_TABLE),
    "decisionRefVersionTag": _described("l'étiquette de version de la table de décision", "f",
                                        _BUNDLE_TABLE),
    "decisionRefTenantId": _described("le locataire de la table de décision", "m",
                                      _BUNDLE_TABLE),
    "mapDecisionResult": _described("la forme du résultat de la table de décision", "f",
                                    _TABLE_OUTPUTS),
    "collection": Feature("la collection de la multi-instance", "f", _MULTI),
    "elementVariable": Feature("la variable d'élément de la multi-instance", "f", _MULTI),
    "resource": Feature("le script externe", "m", _IN_SCRIPT),
    "variableName": Feature("la variable de l'événement conditionnel", "f",
                            "Les événements conditionnels ne sont pas pris en charge."),
    "variableEvents": Feature("les événements de variable de l'événement conditionnel", "mp",
                              "Les événements conditionnels ne sont pas pris en charge."),
    "skipExpression": Feature("l'expression de saut", "f",
                              "Utilisez à la place une passerelle exclusive avant l'élément."),
}

# The same attribute on a kind of element where something else stands instead.
_ON_ELEMENT: dict[tuple[str, str], Feature] = {
    ("resultVariable", "scriptTask"): Feature(
        "la variable de résultat", "f",
        "Affectez la variable dans le script lui-même (resultat = …)."),
    ("resultVariable", "businessRuleTask"): Feature("la variable de résultat", "f",
                                                    _TABLE_OUTPUTS),
}

# Extension elements of Camunda 7 (and Flowable, Activiti), by local name.
_ELEMENTS: dict[str, Feature] = {
    "executionListener": Feature("l'écouteur d'exécution", "m", _SCRIPT_OR_ACTION),
    "taskListener": Feature("l'écouteur de tâche", "m",
                            "Utilisez à la place une tâche de script (Python) ou une tâche de "
                            "service (« Action du catalogue ») avant ou après la tâche ; pour "
                            "la confier à un groupe, un couloir (propriété « groupe ») ou "
                            "l'action « Affecter une tâche à un groupe » ; pour une relance, "
                            "une minuterie de bordure non interruptive."),
    "eventListener": Feature("l'écouteur d'événements", "m", _SCRIPT_OR_ACTION),
    "inputOutput": Feature("les variables d'entrée et de sortie", "fp",
                           "Les données du processus sont lisibles par chaque élément ; "
                           "calculez une valeur dans une tâche de script (Python) avant "
                           "l'élément."),
    "outputParameter": Feature("la sortie d'une tâche de service", "f",
                               "Une action du catalogue n'écrit rien dans les données : "
                               "calculez la valeur dans une tâche de script (Python)."),
    "connector": Feature("le connecteur", "m", _ACTION),
    "field": Feature("l'injection de champ", "f",
                     "Utilisez à la place les paramètres d'une action du catalogue "
                     "(« Action du catalogue », camunda:inputParameter)."),
    "formData": Feature("le formulaire généré", "m", _FORM),
    "formProperty": Feature("le champ de formulaire", "m", _FORM),
    "in": Feature("la transmission de variables à l'appel", "f", _ALL_DATA),
    "out": Feature("la transmission de variables au retour", "f", _ALL_DATA),
    "failedJobRetryTimeCycle": Feature("le cycle de nouvelles tentatives", "m", _INCIDENT),
    "potentialStarter": Feature("le démarreur autorisé", "m", _NO_START),
    "errorEventDefinition": Feature("l'erreur levée par expression", "f",
                                    "Utilisez à la place une passerelle exclusive après la "
                                    "tâche."),
    "historyLevel": _described("le niveau d'historique", "m",
                               "L'historique des dossiers est tenu par l'application."),
}

# Camunda 8 (Zeebe): its own extension elements and attributes.
_ZEEBE: dict[str, Feature] = {
    "taskDefinition": Feature("la définition de tâche Zeebe", "f", _ACTION),
    "ioMapping": Feature("les correspondances d'entrée et de sortie Zeebe", "fp",
                         _ELEMENTS["inputOutput"].instead),
    "taskHeaders": Feature("les en-têtes de tâche Zeebe", "mp", _ACTION),
    "formDefinition": Feature("le formulaire Zeebe", "m", _FORM),
    "userTaskForm": Feature("le formulaire Zeebe", "m", _FORM),
    "userTask": Feature("la tâche utilisateur gérée par Zeebe", "f",
                        "Une tâche utilisateur est toujours gérée par l'application : "
                        "retirez-la."),
    "assignmentDefinition": Feature("l'affectation Zeebe", "f", _GROUP),
    "priorityDefinition": Feature("la priorité Zeebe", "f", _DUE),
    "taskSchedule": Feature("l'échéance Zeebe", "f", _DUE),
    "calledElement": Feature("l'appel de processus Zeebe", "m",
                             "Nommez à la place le processus appelé dans l'attribut BPMN "
                             "calledElement (un processus du même fichier)."),
    "calledDecision": Feature("la table de décision Zeebe", "f",
                              "Nommez à la place la table avec camunda:decisionRef (bouton "
                              "« Table de décision de la tâche »)."),
    "subscription": Feature("l'abonnement de message Zeebe", "m",
                            "Les messages sont adressés par l'application au processus du "
                            "dossier : retirez-le."),
    "loopCharacteristics": Feature("la multi-instance Zeebe", "f", _MULTI),
    "script": Feature("le script FEEL Zeebe", "m",
                      "Utilisez à la place une tâche de script (Python)."),
    "executionListeners": Feature("les écouteurs d'exécution Zeebe", "mp", _SCRIPT_OR_ACTION),
    "taskListeners": Feature("les écouteurs de tâche Zeebe", "mp",
                             _ELEMENTS["taskListener"].instead),
    "properties": _described("les propriétés d'extension Zeebe", "fp",
                             "Les propriétés que lit l'application (statut, code_statut, "
                             "groupe) sont des propriétés Camunda (camunda:properties)."),
    "versionTag": _described("l'étiquette de version Zeebe", "f", _VERSIONS),
}


# SpiffWorkflow (SpiffArena): where the library's parser, as the application uses it, reads its
# extensions (the module docstring); they are not told there.
# Elements whose parser passes `preScript`/`postScript` on to the task, which runs them with the
# run's restricted script engine (tests/workflows/test_spiffworkflow_extensions.py checks
# this list against the parser).
SPIFF_SCRIPTS_RUN_ON = frozenset({"task", "userTask", "manualTask", "subProcess", "transaction",
                                  "callActivity", "receiveTask", "sendTask"})
# `messagePayload`, `messageVariable`, `processVariableCorrelation`: read anywhere within these.
_SPIFF_MESSAGE_HOLDERS = frozenset(_B + t for t in ("message", "messageEventDefinition",
                                                    "receiveTask", "sendTask"))
_SPIFF_MESSAGE = frozenset({"messagePayload", "messageVariable", "processVariableCorrelation"})
# `payloadExpression`, `variableName`: read in the extensions of these.
_SPIFF_ITEM_HOLDERS = frozenset({"signal", "error", "escalation"})
# The properties the application reads are Camunda's (docs/process-bundle.md): given as
# SpiffArena's, a status or a group would be lost; SpiffArena's form is named by these.
_READ_PROPERTIES = frozenset({"statut", "code_statut", "groupe"})
_SPIFF_FORM_PROPERTIES = frozenset({"formJsonSchemaFilename", "formUiSchemaFilename"})

_BEFORE = ("Utilisez à la place une tâche de script (Python) avant l'élément ; le code est "
           "vérifié et exécuté comme tout script.")
_AFTER = ("Utilisez à la place une tâche de script (Python) après l'élément ; le code est "
          "vérifié et exécuté comme tout script.")
_IN_THE_SCRIPT = "Écrivez ce code dans le script de la tâche lui-même (Python)."
_CAMUNDA_PROPERTIES = ("Les propriétés que lit l'application (statut, code_statut, groupe) "
                       "sont des propriétés Camunda (camunda:properties).")
_SPIFF: dict[str, Feature] = {
    "preScript": Feature("le script avant l'élément", "m", _BEFORE),
    "postScript": Feature("le script après l'élément", "m", _AFTER),
    "serviceTaskOperator": Feature(
        "l'opérateur de tâche de service SpiffArena", "m",
        _ACTION[:-1] + " ; ses paramètres sont des camunda:inputParameter, elle n'écrit rien "
        "dans les données (pas de variable de résultat) et, si elle échoue, c'est un incident "
        "sur le dossier que les concepteurs résolvent (pas de nouvelles tentatives)."),
    "calledDecisionId": Feature("la table de décision SpiffArena", "f",
                                "Nommez à la place la table avec camunda:decisionRef (bouton "
                                "« Table de décision de la tâche »)."),
    "variableName": Feature("la variable qui reçoit les données du formulaire", "f",
                            "Chaque champ du formulaire va dans les données sous sa propre "
                            "clé : retirez-la, et lisez les champs par leur clé."),
    "allowGuest": Feature("l'ouverture de la tâche aux invités", "f",
                          "Seuls les agents traitent les tâches : pour la confier à un groupe, "
                          "un couloir (propriété « groupe »)."),
    "properties": _described("les propriétés d'extension SpiffArena", "fp",
                             _CAMUNDA_PROPERTIES),
    "instructionsForEndUser": _described(
        "les consignes à l'utilisateur", "fp",
        "Mettez la consigne dans le formulaire de la tâche (un champ « texte » en lecture "
        "seule, bouton « Formulaire de la tâche ») ou dans la documentation de l'élément."),
    "unitTests": _described("les tests unitaires du script", "mp",
                            "Décrivez le comportement attendu par des scénarios Gherkin du "
                            "paquet (« tester les scénarios » du brouillon)."),
    "taskMetadataValues": _described("les métadonnées de la tâche", "fp",
                                     "Ce qu'un agent doit savoir d'un dossier est dans ses "
                                     "données et son statut."),
    "guestConfirmation": _described("la confirmation aux invités", "f",
                                    "Seuls les agents traitent les tâches."),
}
_SPIFF_PROPERTIES_READ = Feature("les propriétés d'extension SpiffArena", "fp",
                                 "Donnez statut, code_statut et groupe en propriétés Camunda "
                                 "(camunda:properties) : ce sont les seules que lit "
                                 "l'application.")
_SPIFF_FORM = Feature("le formulaire SpiffArena", "m", _FORM)
_SPIFF_DECISION_TOO = _described("la table de décision SpiffArena", "f",
                                 "La table appelée est celle que nomme camunda:decisionRef.")
_SPIFF_SCRIPT_TASK = {"preScript": Feature("le script avant l'élément", "m", _IN_THE_SCRIPT),
                      "postScript": Feature("le script après l'élément", "m", _IN_THE_SCRIPT)}


def _local(el) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rpartition("}")[2] if tag.startswith(_B) else ""


def _spiff_feature(el, local: str, holder) -> Feature | None:
    """The feature a spiffworkflow: element stands for where it is (`holder`: the BPMN element
    whose bpmn:extensionElements holds it, None elsewhere), or None when the engine reads it
    there or it is empty."""
    if not (el.text or "").strip() and len(el) == 0 and not el.attrib:
        return None  # an empty extension asks for nothing
    kind = _local(holder) if holder is not None else ""
    if local in ("preScript", "postScript"):
        if kind in SPIFF_SCRIPTS_RUN_ON:
            return None
        return _SPIFF_SCRIPT_TASK[local] if kind == "scriptTask" else _SPIFF[local]
    if local in _SPIFF_MESSAGE:
        if any(a.tag in _SPIFF_MESSAGE_HOLDERS for a in el.iterancestors()):
            return None
        return _generic("spiffworkflow")
    if local in ("payloadExpression", "variableName") and kind in _SPIFF_ITEM_HOLDERS:
        return None
    if local == "category" and kind == "dataObject":
        return None
    if local == "calledDecisionId" and holder is not None and kind == "businessRuleTask":
        named = (holder.get(f"{{{CAMUNDA_NS}}}decisionRef") or "").strip()
        if named and named == (el.text or "").strip():
            return _SPIFF_DECISION_TOO
    if local == "properties":
        names = {p.get("name") or "" for p in el.iter(f"{{{SPIFF_NS}}}property")}
        if names & _SPIFF_FORM_PROPERTIES:
            return _SPIFF_FORM
        if names & _READ_PROPERTIES:
            return _SPIFF_PROPERTIES_READ
    return _SPIFF.get(local) or _generic("spiffworkflow")


def _foreign(prefix: str | None, uri: str) -> tuple[Feature, str]:
    """Another tool's extension (a namespace no engine here reads): a warning naming it."""
    named = f"« {prefix} », " if prefix else ""
    return (Feature("les extensions d'un autre outil", "fp",
                    "Si elles faisaient quelque chose dans cet outil (un script, un envoi, une "
                    "affectation…), dessinez-le avec ce que lit l'application "
                    "(docs/designers.md, « Extensions Camunda et autres moteurs »).",
                    blocking=False, no_effect=False),
            f"espace de noms {named}{uri}")


def _agree(feature: Feature, blocking: bool) -> str:
    """« … n'est pas pris en charge par le moteur : il serait ignoré » with the agreement."""
    e = "e" if feature.agreement.startswith("f") else ""
    s = "s" if feature.agreement.endswith("p") else ""
    taken = "pris" + (e + s if e else "")  # « pris », « prise », « prises »
    pronoun = {"m": "il", "f": "elle", "mp": "ils", "fp": "elles"}[feature.agreement]
    negation = "ne sont" if s else "n'est"
    if blocking:
        verb = "seraient" if s else "serait"
    else:
        verb = "sont" if s else "est"
    return (f"{negation} pas {taken} en charge par le moteur : {pronoun} {verb} "
            f"ignoré{e}{s}")


def _message(label: str, feature: Feature, qname: str) -> str:
    words = feature.words
    if feature.blocking:
        return (f"{label} : {words} ({qname}) {_agree(feature, True)}. {feature.instead}")
    effect = f", {_NO_EFFECT}" if feature.no_effect else ""
    return f"{label} : {words} ({qname}) {_agree(feature, False)}{effect}. {feature.instead}"


def _generic(engine: str) -> Feature:
    """An extension this module does not name: blocking (what it did elsewhere is unknown)."""
    what = {"zeebe": "Zeebe", "spiffworkflow": "SpiffArena"}.get(engine, engine.capitalize())
    return Feature(f"l'extension {what}", "f",
                   "Retirez-la : seules les extensions décrites dans docs/designers.md "
                   "(« Extensions Camunda et autres moteurs ») sont lues.")


_START_FORM = Feature("le formulaire de démarrage", "m", _NO_START)
_FORM_ATTRIBUTES = frozenset({"formKey", "formHandlerClass", "formRef"})
_FORM_ELEMENTS = frozenset({"formData", "formProperty"})
_TRUE_ONLY = frozenset({"async", "asyncBefore", "asyncAfter"})  # "false" is their default
_LOOPS = frozenset({"multiInstanceLoopCharacteristics", "standardLoopCharacteristics"})


def _attribute_feature(engine: str, local: str, value: str, owner_local: str
                       ) -> Feature | None:
    """The feature an engine's attribute stands for on an element (`owner_local`: the BPMN
    element carrying it), or None when it is honoured, bookkeeping or its default."""
    if local in _TOOLING:
        return None
    if engine == "zeebe":
        return _ZEEBE.get(local) or _generic(engine)
    if engine == "spiffworkflow":  # where the pre- and post-scripts of instances run
        if local == "scriptsOnInstances" and owner_local in _LOOPS:
            return None
        return _generic(engine)
    if engine == "camunda":
        if local in _TOLD_ELSEWHERE:
            return None
        if (local, owner_local) in HONOURED_ATTRIBUTES:
            if local == "type" and value.strip() != "external":
                return _ATTRIBUTES["type"]
            return None
    if local in _FORM_ATTRIBUTES and owner_local == "startEvent":
        return _START_FORM
    flag = value.strip().lower()
    if local in _TRUE_ONLY and flag != "true":
        return None
    if local == "exclusive" and flag != "false":
        return None
    if local == "isStartableInTasklist" and flag != "false":
        return None
    return (_ON_ELEMENT.get((local, owner_local)) or _ATTRIBUTES.get(local)
            or _generic(engine))


def _element_feature(engine: str, local: str) -> Feature:
    if engine == "zeebe":
        return _ZEEBE.get(local) or _generic(engine)
    return _ELEMENTS.get(local) or _generic(engine)


def _engine_of(tag) -> tuple[str, str] | None:
    """(engine prefix, local name) of a namespaced tag or attribute of a checked engine."""
    if not isinstance(tag, str) or not tag.startswith("{"):
        return None
    ns, _, local = tag[1:].partition("}")
    engine = ENGINES.get(ns)
    return (engine, local) if engine else None


def _foreign_ns(tag) -> str | None:
    """The namespace of a tag or attribute of another tool (neither standard, nor a checked
    engine's, nor a modeler's bookkeeping), None otherwise."""
    if not isinstance(tag, str) or not tag.startswith("{"):
        return None
    ns = tag[1:].partition("}")[0]
    if ns in ENGINES or ns in _STANDARD or ns in _MODELERS:
        return None
    return ns


# What holds the flow: another tool's extension is told on the elements it holds (tasks,
# events, gateways, flows), where it could act; elsewhere (the document, a process, a lane, an
# item definition…) it is the tool's authoring data.
_FLOW_HOLDERS = frozenset(_B + t for t in ("process", "subProcess", "transaction",
                                           "adHocSubProcess"))


def _in_flow(owner) -> bool:
    parent = owner.getparent() if owner is not None else None
    return parent is not None and parent.tag in _FLOW_HOLDERS


def findings(root, owner_of: Callable) -> list[Finding]:
    """Every extension of the checked engines the document carries that the engine does not
    honour, once per element and feature, and every other tool's extension of a flow element,
    once per element and namespace (warnings), in document order. `owner_of(el)`: the diagram
    element an XML element belongs to (the one a problem is told on). Never raises."""
    try:
        return _findings(root, owner_of)
    except Exception:  # noqa: BLE001 - never raise from validation
        return []


def _findings(root, owner_of: Callable) -> list[Finding]:
    found: list[Finding] = []
    seen: set[tuple] = set()

    def tell(el, feature: Feature, qname: str) -> None:
        owner = owner_of(el)
        owner_id = owner.get("id") if owner is not None else None
        key = (owner_id, qname, feature.words)
        if key in seen:
            return
        seen.add(key)
        label = (problems_fr.element_label(owner.tag, owner_id, owner.get("name"))
                 if owner is not None else "document")
        found.append(Finding(owner_id, el.sourceline, _message(label, feature, qname),
                             feature.blocking))

    def walk(el) -> None:
        for child in el:
            if not isinstance(child.tag, str):
                continue
            engine = _engine_of(child.tag)
            if engine is None:
                ns = _foreign_ns(child.tag)
                if (ns is not None and el.tag == _B + "extensionElements"
                        and _in_flow(owner_of(child))):
                    tell(child, *_foreign(child.prefix, ns))
                _attributes(child)
                walk(child)
                continue
            _extension_element(child, *engine)

    def _attributes(el) -> None:
        owner_local = el.tag.rpartition("}")[2] if el.tag.startswith(_B) else ""
        for name, value in el.attrib.items():
            engine = _engine_of(name)
            if engine is None:
                continue
            feature = _attribute_feature(*engine, value or "", owner_local)
            if feature is not None:
                tell(el, feature, f"{engine[0]}:{engine[1]}")

    def _extension_element(el, engine: str, local: str) -> None:
        if engine == "camunda" and local == "properties":
            return  # statut, code_statut, groupe (docs/process-bundle.md)
        if engine == "zeebe" and local in _TOOLING:
            return
        parent = el.getparent()
        holder = parent.getparent() if parent is not None else None
        if engine == "spiffworkflow":
            in_extensions = parent is not None and parent.tag == _B + "extensionElements"
            feature = _spiff_feature(el, local, holder if in_extensions else None)
            if feature is not None:
                tell(el, feature, f"spiffworkflow:{local}")
            return
        if (engine == "camunda" and local == "inputOutput" and holder is not None
                and holder.tag == _B + "serviceTask"):
            # the action's parameters (workflows/service_tasks.py checks them); its outputs
            # are not read
            for out in el.iter(f"{{{CAMUNDA_NS}}}outputParameter"):
                tell(out, _ELEMENTS["outputParameter"], "camunda:outputParameter")
            return
        if local in _FORM_ELEMENTS and holder is not None and holder.tag == _B + "startEvent":
            tell(el, _START_FORM, f"{engine}:{local}")
            return
        tell(el, _element_feature(engine, local), f"{engine}:{local}")

    _attributes(root)
    walk(root)
    return found
