"""Numeric options of the command line, checked before the command runs: a bad value is a usage
error (French, exit code 2) instead of a crash later (time.sleep(-1) raises) or a silent
acceptance."""

from __future__ import annotations

import math

import click

from services.db import MAX_ROW_ID

MAX_INTERVAL_SECONDS = 86_400  # a pause longer than a day is a typo, not a setting


class Seconds(click.ParamType):
    """A pause between two passes: a finite number of seconds, more than 0, at most a day."""

    name = "secondes"

    def convert(self, value, param, ctx):
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        else:
            try:
                number = float(str(value).strip().replace(",", "."))
            except ValueError:
                number = math.nan
        if not (0 < number <= MAX_INTERVAL_SECONDS):  # also refuses nan
            self.fail(f"« {value} » n'est pas un nombre de secondes valable : attendu un nombre "
                      f"supérieur à 0 et d'au plus {MAX_INTERVAL_SECONDS} (un jour).", param, ctx)
        return number


class RowId(click.ParamType):
    """A stored row's number (a draft…): a whole number from 1 to the database's largest id."""

    name = "numéro"

    def convert(self, value, param, ctx):
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                number = 0
        if not 1 <= number <= MAX_ROW_ID:
            self.fail(f"« {value} » n'est pas un numéro valable : attendu un nombre entier de 1 à "
                      f"{MAX_ROW_ID}.", param, ctx)
        return number


SECONDS = Seconds()
ROW_ID = RowId()
