"""The case page's BPMN diagram at a phone's, a tablet's and a laptop's width: a readable zoom
centred on where the case stands (never the whole diagram shrunk into a small box), buttons to
zoom and fit, readable deadline overlays, and the text list of the current steps it points at."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SHOTS, accessible, login

READABLE = 0.6  # below this the diagram's labels are too small to read

ZOOM = "() => UI.viewers.bpmn.get('canvas').zoom()"

# the rectangles on screen of the deadline overlays and of the diagram's texts (element names,
# external labels) that do not belong to the timer event the overlay is attached to
RECTS = """() => {
  const r = e => { const b = e.getBoundingClientRect();
                   return {x: b.x, y: b.y, right: b.right, bottom: b.bottom}; };
  const timers = [...document.querySelectorAll('#bpmn .ui-timer-overlay')];
  const hosts = new Set(timers.map(t => t.closest('.djs-overlays').dataset.containerId));
  const texts = [...document.querySelectorAll('#bpmn .djs-element')]
    .filter(e => !hosts.has(e.dataset.elementId.replace(/_label$/, '')))
    .flatMap(e => [...e.querySelectorAll(':scope > .djs-visual text')])
    .filter(t => t.textContent.trim());
  return {timers: timers.map(r), texts: texts.map(r),
          ticks: [...document.querySelectorAll('#bpmn .ui-done-overlay')].map(r)};
}"""


def overlap(a, b) -> bool:
    return a["x"] < b["right"] and b["x"] < a["right"] and a["y"] < b["bottom"] \
        and b["y"] < a["bottom"]


def inside(inner, outer) -> bool:
    return (inner["x"] >= outer["x"] and inner["y"] >= outer["y"]
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"])


@pytest.mark.parametrize("width,height", [(390, 844), (768, 1024), (1280, 900)])
def test_case_diagram_is_readable_and_centred_on_the_current_step(open_page, server, width,
                                                                    height):
    page = open_page({"width": width, "height": height})
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    login(page, "agent")
    page.goto(f"/ui/dossiers/{server.data.petit}")
    diagram = page.locator("#bpmn")
    page.wait_for_selector("#bpmn[data-ready='true']")

    # a readable zoom, the task to do (the case's current step) inside the frame
    assert page.evaluate(ZOOM) >= READABLE
    frame = diagram.bounding_box()
    task = page.locator("#bpmn .djs-shape[data-element-id='verification_attestation']")
    assert inside(task.bounding_box(), frame), (task.bounding_box(), frame)
    if width < 768:  # a taller frame on a phone than the page's width would give
        assert frame["height"] >= 0.6 * height, frame

    # the text alternative: the current steps and the deadlines, which the diagram points at
    svg = page.locator("#bpmn svg").first
    assert svg.get_attribute("aria-describedby") == "parcours-texte"
    assert svg.get_attribute("tabindex") == "0"  # reachable with the keyboard
    assert "Vérifier l'attestation de stage" in page.locator("#parcours-texte #steps").inner_text()
    timers = page.locator("#parcours-texte #timers li")
    assert timers.count() == 1
    deadline = page.locator("#deadline").inner_text().split()[0]

    # the deadline overlay: the date only, the whole sentence in its tooltip and in the list
    overlay = page.locator(".ui-timer-overlay")
    assert overlay.inner_text() == f"Échéance : {deadline}"
    assert overlay.get_attribute("title") == timers.first.inner_text()
    assert "(minuteur le " in overlay.get_attribute("title")
    rects = page.evaluate(RECTS)
    for text in rects["texts"] + rects["ticks"]:
        assert not overlap(rects["timers"][0], text), (rects["timers"][0], text)

    # the zoom buttons, with the keyboard and the mouse
    tools = page.get_by_role("list").filter(has=page.get_by_role("button", name="Zoomer"))
    assert tools.is_visible()
    before = page.evaluate(ZOOM)
    zoom_in = page.get_by_role("button", name="Zoomer sur le diagramme")
    zoom_in.focus()
    page.keyboard.press("Enter")
    assert page.evaluate(ZOOM) > before
    assert page.locator("[data-bpmn-zoom]").inner_text() == \
        f"Zoom : {round(page.evaluate(ZOOM) * 100)} %"
    page.get_by_role("button", name="Dézoomer le diagramme").click()
    assert page.evaluate(ZOOM) == pytest.approx(before, rel=0.01)
    page.get_by_role("button", name="Ajuster le diagramme entier au cadre").click()
    assert page.evaluate(ZOOM) < before  # the whole diagram, small: the user asked for it
    page.get_by_role("button", name="Centrer le diagramme sur l'étape en cours").click()
    assert page.evaluate(ZOOM) >= READABLE
    assert inside(task.bounding_box(), diagram.bounding_box())

    # dragging the diagram moves it (diagram-js's own mouse move)
    diagram.scroll_into_view_if_needed()
    box, frame = task.bounding_box(), diagram.bounding_box()
    x, y = frame["x"] + frame["width"] / 2, frame["y"] + frame["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 60, y - 40, steps=5)
    page.mouse.up()
    moved = task.bounding_box()
    assert moved["x"] == pytest.approx(box["x"] - 60, abs=2)
    assert moved["y"] == pytest.approx(box["y"] - 40, abs=2)

    # once the diagram has the focus, the arrow keys move it, + and - zoom
    svg.focus()
    viewbox = "() => UI.viewers.bpmn.get('canvas').viewbox().x"
    x_before, zoom_before = page.evaluate(viewbox), page.evaluate(ZOOM)
    page.keyboard.press("ArrowRight")
    assert page.evaluate(viewbox) > x_before
    page.keyboard.press("+")
    assert page.evaluate(ZOOM) > zoom_before
    page.keyboard.press("-")
    assert page.evaluate(ZOOM) == pytest.approx(zoom_before, rel=0.01)

    # full screen and back, the toggle saying which
    full = page.get_by_role("button", name="Plein écran : afficher le diagramme sur tout l'écran")
    full.click()
    page.wait_for_function("() => document.fullscreenElement?.id === 'bpmn-cadre'")
    page.wait_for_selector("[data-bpmn-action='fullscreen'][aria-pressed='true']")
    assert page.locator("#bpmn").bounding_box()["height"] > 0.7 * height
    assert page.evaluate(ZOOM) >= READABLE
    full.click()
    page.wait_for_function("() => document.fullscreenElement === null")
    page.wait_for_selector("[data-bpmn-action='fullscreen'][aria-pressed='false']")

    accessible(page, f"diagramme du dossier à {width} px")
    page.locator("#bpmn-cadre").screenshot(path=str(SHOTS / f"14-diagramme-{width}px.png"))
    assert console_errors == []
