"""French explanations of the exception kinds a designer's code or a send most often raises.

The technical text (« name 'motif' is not defined », « [Errno 111] Connection refused ») stays
for the designers and admins who fix it, but after a French sentence saying what kind of fault
it is (a QA finding: incidents and the outbox showed Python's English alone). Clerks never see
either: they get the incident's number (services/incidents.py).
"""

from __future__ import annotations

# Matched along the exception's class hierarchy (the most specific first): a subclass takes its
# own entry, else its parent's (an SMTPRecipientsRefused is an SMTPException).
_BY_KIND: dict[str, str] = {
    # a designer's script, condition or timer expression
    "NameError": "variable inconnue : le code lit un nom qui n'existe pas à cet endroit du "
                 "processus (une donnée d'un autre chemin, une faute de frappe)",
    "UnboundLocalError": "variable lue avant d'avoir reçu une valeur",
    "KeyError": "clé absente : le code lit dans un dictionnaire (par exemple dossier[…]) une clé "
                "qui n'y est pas",
    "IndexError": "indice hors limites : le code lit dans une liste un élément qui n'existe pas "
                  "(liste vide ou trop courte)",
    "TypeError": "type inattendu : une opération ou un appel reçoit une valeur d'un autre type "
                 "(un texte au lieu d'un nombre, une valeur vide…)",
    "ZeroDivisionError": "division par zéro",
    "ValueError": "valeur invalide : une conversion ou un appel reçoit une valeur qu'il ne sait "
                  "pas traiter",
    "AttributeError": "attribut inconnu : le code lit une propriété ou une méthode qu'une valeur "
                      "n'a pas (souvent une valeur vide)",
    "OverflowError": "nombre trop grand pour être calculé",
    "RecursionError": "appels imbriqués trop profonds",
    "SyntaxError": "code illisible (erreur de syntaxe)",
    "AssertionError": "une vérification du code a échoué",
    # a letter's layout (the outbox's channel courrier_pdf): its text says which limit
    "LetterError": "le courrier n'a pas pu être mis en page",
    # a send (the outbox's channels: SMTP)
    "ConnectionRefusedError": "connexion refusée : le serveur distant (messagerie SMTP) n'accepte "
                              "pas de connexion à cette adresse et ce port (arrêté, ou mal "
                              "configuré)",
    "ConnectionResetError": "connexion coupée par le serveur distant",
    "ConnectionError": "connexion au serveur distant impossible",
    "TimeoutError": "délai dépassé : le serveur distant n'a pas répondu à temps",
    "gaierror": "serveur introuvable : son nom ne correspond à aucune adresse (DNS)",
    "SSLError": "échec du chiffrement (TLS) avec le serveur distant",
    "SMTPAuthenticationError": "le serveur de messagerie a refusé l'identifiant ou le mot de "
                               "passe",
    "SMTPRecipientsRefused": "le serveur de messagerie a refusé l'adresse du destinataire",
    "SMTPSenderRefused": "le serveur de messagerie a refusé l'adresse de l'expéditeur",
    "SMTPDataError": "le serveur de messagerie a refusé le message",
    "SMTPServerDisconnected": "le serveur de messagerie a coupé la connexion",
    "SMTPConnectError": "connexion au serveur de messagerie impossible",
    "SMTPNotSupportedError": "le serveur de messagerie ne prend pas en charge une commande "
                             "demandée (STARTTLS, authentification…)",
    "SMTPException": "erreur du serveur de messagerie",
    "OSError": "erreur du système ou du réseau",
}


def explain(exc: BaseException | type[BaseException] | str) -> str | None:
    """The French explanation of an exception (instance, class or class name), or None."""
    if isinstance(exc, str):
        return _BY_KIND.get(exc)
    cls = exc if isinstance(exc, type) else type(exc)
    for klass in cls.__mro__:
        found = _BY_KIND.get(klass.__name__)
        if found:
            return found
    return None


def described(exc: BaseException) -> str:
    """« <French explanation> — détail technique (Kind) : text », or « (Kind) : text » for a
    kind without explanation."""
    text = str(exc) or type(exc).__name__
    technical = f"({type(exc).__name__}) : {text}"
    why = explain(exc)
    return f"{why} — détail technique {technical}" if why else technical
