"""The Jinja filters and names every UI template may use: French dates, history details, labels."""

from __future__ import annotations

from flask import Blueprint

from services.clock import clock
from web import labels
from web.ui.listing import page_url

FILTERS = {"fdate": labels.fdate, "fdatetime": labels.fdatetime, "fvalue": labels.fvalue,
           "fdetail": labels.fdetail, "status_label": labels.status_label,
           "fnumber": labels.fnumber, "feuros": labels.feuros,
           "flag_message": labels.flag_message}


def _names() -> dict:
    return {"STATUS_LABELS": labels.STATUS_LABELS, "EVENT_LABELS": labels.EVENT_LABELS,
            "OBLIGATION_LABELS": labels.OBLIGATION_LABELS, "today": clock().today(),
            "page_url": page_url, "PROBATION_LABELS": labels.PROBATION_LABELS,
            "RECEIPT_LABELS": labels.RECEIPT_LABELS,
            "SESSION_STATUS_LABELS": labels.SESSION_STATUS_LABELS,
            "MOVEMENT_LABELS": labels.MOVEMENT_LABELS,
            "REFERRAL_LABELS": labels.REFERRAL_LABELS}


def register(blp: Blueprint) -> None:
    for name, function in FILTERS.items():
        blp.add_app_template_filter(function, name)
    blp.context_processor(_names)
