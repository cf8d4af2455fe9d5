"""Several messages in one problem's `detail` (services/errors.sentences): each a sentence with
its full stop, never run together (a QA finding: « …(20/12/2026 puis 19/12/2026) R31 : … »)."""

from __future__ import annotations

import pytest

from services.errors import Invalid, raise_all, sentences


def test_each_message_ends_with_its_full_stop_and_a_space_follows():
    assert sentences(["D12 : pas consécutives (20/12/2026 puis 19/12/2026)",
                      "R31 : un dimanche", "Déjà une phrase.", "", "  Une question ?  "]) == (
        "D12 : pas consécutives (20/12/2026 puis 19/12/2026). R31 : un dimanche. Déjà une "
        "phrase. Une question ?")
    assert sentences([]) == ""


def test_a_submission_with_several_errors_tells_them_as_sentences():
    with pytest.raises(Invalid) as raised:
        raise_all([("a", "La date est impossible."), ("b", "Le solde est négatif")])
    assert raised.value.detail == "2 erreurs : La date est impossible. Le solde est négatif."
    assert raised.value.errors == {"a": ["La date est impossible."],
                                   "b": ["Le solde est négatif"]}
