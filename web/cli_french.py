"""The command line's own messages in French: click's usage errors (« Missing argument »,
« Invalid value for… », « … does not exist »), its help headings and its prompts.

click marks every message it shows with gettext (`_()` and `ngettext()`, bound in each of its
modules); gettext itself would pick a catalogue from the machine's locale, which a server does
not reliably set to French. So the command line gives those modules a French `_` and `ngettext`
reading the catalogue below, keyed by click's English text. A text missing from it (a future
click) stays English; tests/unit/test_cli_french.py checks that every key is still one of
click's texts."""

from __future__ import annotations

import importlib

# click's texts (8.3) shown to someone running a command, and their French.
MESSAGES = {
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Aide : « {command} {option} ».",
    "Usage:": "Usage :",
    "Options": "Options",
    "Commands": "Commandes",
    "Positional arguments": "Arguments",
    "Show this message and exit.": "Afficher cette aide et quitter.",
    "Show the version and exit.": "Afficher la version et quitter.",
    "default: {default}": "défaut : {default}",
    "required": "obligatoire",
    "env var: {var}": "variable d'environnement : {var}",
    "(dynamic)": "(calculé)",
    "deprecated": "obsolète",
    "Aborted!": "Abandon.",
    "Missing command.": "commande manquante.",
    "No such command {name!r}.": "commande inconnue : « {name} ».",
    "No such option {name!r}.": "option inconnue : « {name} ».",
    "Invalid value for {param_hint}: {message}": "valeur invalide pour {param_hint} : {message}",
    "Invalid value: {message}": "valeur invalide : {message}",
    "Missing argument": "argument manquant",
    "Missing option": "option manquante",
    "Missing parameter": "paramètre manquant",
    "Missing {param_type}": "{param_type} manquant",
    "Missing parameter: {param_name}": "paramètre manquant : {param_name}",
    "Choose from:\n\t{choices}": "Valeurs possibles :\n\t{choices}",
    "Could not open file {filename!r}: {message}":
        "Impossible d'ouvrir le fichier « {filename} » : {message}",
    "unknown error": "erreur inconnue",
    "Option {name!r} does not take a value.": "l'option « {name} » ne prend pas de valeur.",
    "Argument {name!r} takes {nargs} values.": "l'argument « {name} » prend {nargs} valeurs.",
    "Value must be an iterable.": "Plusieurs valeurs attendues.",
    "{value!r} is not a valid {number_type}.":
        "« {value} » n'est pas un nombre valable ({number_type}).",
    "{value} is not in the range {range}.": "{value} n'est pas dans l'intervalle {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "« {value} » n'est pas un booléen valable ; valeurs reconnues : {states}",
    "{value!r} is not a valid UUID.": "« {value} » n'est pas un UUID valable.",
    "file": "fichier",
    "directory": "dossier",
    "path": "chemin",
    # {name}: "file", "directory" or "path" below, capitalised
    "{name} {filename!r} does not exist.": "{name} « {filename} » introuvable.",
    "{name} {filename!r} is a file.": "{name} « {filename} » : c'est un fichier.",
    "{name} {filename!r} is a directory.": "{name} « {filename} » : c'est un dossier.",
    "{name} {filename!r} is not readable.": "{name} « {filename} » : lecture interdite.",
    "{name} {filename!r} is not writable.": "{name} « {filename} » : écriture interdite.",
    "{name} {filename!r} is not executable.": "{name} « {filename} » : exécution interdite.",
    "Repeat for confirmation": "Confirmation",
    "Error: The two entered values do not match.":
        "Erreur : les deux saisies ne sont pas identiques.",
    "Error: invalid input": "Erreur : saisie invalide",
    "Do you want to continue?": "Continuer ?",
    "Confirm the action without prompting.": "Confirmer sans poser la question.",
    "Press any key to continue...": "Appuyez sur une touche pour continuer…",
}

# (singular, plural) → their French; click picks one by the count.
PLURALS = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("argument en trop : {args}", "arguments en trop : {args}"),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Vouliez-vous dire {possibility} ?", "(Vouliez-vous dire l'un de : {possibilities} ?)"),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("« {value} » n'est pas {choice}.", "« {value} » n'est pas l'une des valeurs {choices}."),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("l'option « {name} » attend une valeur.", "l'option « {name} » attend {nargs} valeurs."),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("{nargs} valeurs attendues, 1 reçue.", "{nargs} valeurs attendues, {len} reçues."),
    ("{value!r} does not match the format {format}.",
     "{value!r} does not match the formats {formats}."):
        ("« {value} » ne suit pas le format {format}.",
         "« {value} » ne suit aucun des formats {formats}."),
}

# click's modules that show text to the user (each binds its own `_` and `ngettext`)
CLICK_MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting",
                 "click.parser", "click.types", "click.termui")


def french(message: str) -> str:
    return MESSAGES.get(message, message)


def french_plural(singular: str, plural: str, n: int) -> str:
    one, many = PLURALS.get((singular, plural), (singular, plural))
    return one if n == 1 else many


def speak_french() -> None:
    """Give click's modules the French catalogue (idempotent). Called before the commands'
    options are built: a click.Path names itself (« fichier ») when it is created."""
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = french
        if hasattr(module, "ngettext"):
            module.ngettext = french_plural
