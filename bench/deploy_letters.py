"""What a deployment's letter check adds (services/bundles.letter_layout_problems: the letters
that differ from the version followed, rendered against the sample case and laid out by the
bounded child) for the shipped mandatory process's letters: all three (a new process, or the
shared layout changed), one, none; with the child to start (a web worker's first deployment, or
one after 5 idle minutes) and with it running.

    .venv/bin/python -m bench.deploy_letters [iterations]      (docs/performance.md)
"""

from __future__ import annotations

import sys

from bench.letter_layout import summary, timed
from services.letters import layout, render
from services.letters.context import sample_context
from tests.unit.test_letters_render import shipped

PROSECUTOR, SHARED = "courriers/signalement_procureur.html", "courriers/_mise_en_page.html"


def check(files: dict, base: dict) -> None:
    found = render.layout_problems(files, render.changed_letters(files, base), sample_context())
    assert found == [], found


def main(iterations: int) -> None:
    base = shipped()
    cases = {"3 letters (the shared layout changed)":
             {**base, SHARED: base[SHARED].replace("</body>", "<p>pied</p></body>")},
             "1 letter changed":
             {**base, PROSECUTOR: base[PROSECUTOR].replace("Tribunal", "Tribunal de Bordeaux")},
             "no letter changed": dict(base)}
    check(base, None)  # imports and compiled code warm, as in a running worker
    for name, files in cases.items():
        for cold in (True, False):
            times = []
            for _ in range(iterations):
                if cold:
                    layout.shutdown()
                times.append(timed(check, files, base))
            print(summary(f"{name}, {'child to start' if cold else 'child running'}", times))
    layout.shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
