"""French validation messages for marshmallow fields (people read them in problem+json)."""

from marshmallow import Schema, fields

DATE_INVALID = "Date invalide : format AAAA-MM-JJ et jour existant attendus."


def install() -> None:
    fields.Field.default_error_messages = {
        "required": "Champ obligatoire.",
        "null": "Ne peut pas être null.",
        "validator_failed": "Valeur invalide.",
    }
    fields.String.default_error_messages = {"invalid": "Texte attendu.",
                                            "invalid_utf8": "Texte UTF-8 invalide."}
    fields.Integer.default_error_messages = {"invalid": "Nombre entier attendu."}
    fields.Number.default_error_messages = {"invalid": "Nombre attendu.",
                                            "too_large": "Nombre trop grand."}
    fields.Decimal.default_error_messages = {"special": "Nombre fini attendu."}
    fields.Boolean.default_error_messages = {"invalid": "Booléen attendu (true ou false)."}
    fields.Date.default_error_messages = {"invalid": DATE_INVALID, "format": DATE_INVALID}
    fields.DateTime.default_error_messages = {
        "invalid": "Instant invalide : ISO 8601 avec décalage horaire attendu.",
        "invalid_awareness": "L'instant doit indiquer son décalage horaire.",
        "format": "Instant invalide."}
    fields.Nested.default_error_messages = {"type": "Objet attendu."}
    fields.List.default_error_messages = {"invalid": "Liste attendue."}
    fields.Dict.default_error_messages = {"invalid": "Objet attendu."}
    Schema._default_error_messages = {"type": "Objet JSON attendu.", "unknown": "Champ inconnu."}
