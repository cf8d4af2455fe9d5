/* Charts (Chart.js), the BPMN diagram (bpmn-js NavigatedViewer) and form helpers of the UI pages.
   No inline script (Content-Security-Policy): elements say what they need with data-* attributes,
   their data comes from <script type="application/json"> blocks. */
(function () {
  "use strict";
  var BLUE = "#000091", ORANGE = "#b34000";

  function data(id) {
    var el = document.getElementById(id + "-data") || document.getElementById(id);
    return JSON.parse(el.textContent);
  }

  function barChart(canvasId) {
    var canvas = document.getElementById(canvasId);
    if (!canvas || !window.Chart) { return; }
    var d = data(canvasId), colours = [BLUE, ORANGE, "#18753c", "#6a6af4"];
    d.datasets.forEach(function (ds, i) { ds.backgroundColor = colours[i % colours.length]; });
    new window.Chart(canvas, {type: "bar", data: d, options: {
      locale: "fr-FR", maintainAspectRatio: false, animation: false,
      scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}});
  }

  function lineChart(canvasId) {
    var canvas = document.getElementById(canvasId);
    if (!canvas || !window.Chart) { return; }
    var d = data(canvasId);
    d.datasets[0].borderColor = BLUE; d.datasets[0].backgroundColor = BLUE; d.datasets[0].stepped = true;
    new window.Chart(canvas, {type: "line", data: d, options: {
      locale: "fr-FR", maintainAspectRatio: false, animation: false,
      scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}});
  }

  // the case's diagram: a readable zoom (never the whole diagram shrunk into a small box),
  // centred on where the case stands, with buttons to zoom, fit and go full screen
  var viewers = {};  // by container id, for the browser tests to read the zoom
  var READABLE_ZOOM = 0.8, MIN_ZOOM = 0.2, MAX_ZOOM = 4, ZOOM_STEP = 1.25;

  function box(elements) {
    var x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
    elements.forEach(function (e) {
      x1 = Math.min(x1, e.x); y1 = Math.min(y1, e.y);
      x2 = Math.max(x2, e.x + e.width); y2 = Math.max(y2, e.y + e.height);
    });
    return {x: x1, y: y1, width: x2 - x1, height: y2 - y1};
  }

  // where the case stands: its current steps (the page lists them), else where it ended
  function currentElements(registry, state) {
    var steps = (state.steps || []).map(function (s) { return registry.get(s.element); })
      .filter(function (e) { return e && !e.waypoints; });
    if (!steps.length) {
      var done = new Set(state.completed);
      steps = registry.filter(function (e) { return e.type === "bpmn:EndEvent" && done.has(e.id); });
    }
    if (!steps.length) { steps = registry.filter(function (e) { return e.type === "bpmn:StartEvent"; }); }
    return steps;
  }

  // the view at `scale` centred on the elements, or on the first task among them when they do
  // not all fit (a user task: what a clerk has to do)
  function centreOn(canvas, elements, scale) {
    var outer = canvas.viewbox().outer, width = outer.width / scale, height = outer.height / scale,
        b = box(elements);
    if (b.width > width || b.height > height) {
      var first = function (test) { return elements.filter(test)[0]; };
      b = box([first(function (e) { return e.type === "bpmn:UserTask"; }) ||
               first(function (e) { return /Task$/.test(e.type); }) || elements[0]]);
    }
    canvas.viewbox({x: b.x + b.width / 2 - width / 2, y: b.y + b.height / 2 - height / 2,
                    width: width, height: height});
  }

  // the whole diagram when it is readable so, else a readable zoom on where the case stands
  function initialView(canvas, focus) {
    var fit = canvas.zoom("fit-viewport");
    if (fit < READABLE_ZOOM && focus.length) { centreOn(canvas, focus, READABLE_ZOOM); }
  }

  function timerOverlay(t, el) {
    var html = document.createElement("div");
    html.className = "ui-timer-overlay";
    // the page's words (web/labels.timer_due): the deadline the page shows, not the instant
    // the timer fires (the start of the next day); on the diagram the date only, the whole
    // sentence in its tooltip and in the list of deadlines above the diagram
    html.textContent = "Échéance : " + t.when.split(" (")[0];
    html.title = t.label + " : " + t.when;
    // above an event; under a boundary event's label (above it is the task it is attached to)
    var label = el.label, below = el.host && label ? label.y + label.height - el.y + 2 : null;
    return {position: below !== null ? {top: below, left: -20} : {top: -24, left: -20},
            html: html, scale: {min: 0.8}};
  }

  // one-finger dragging on a touch screen (diagram-js moves the canvas with a mouse only)
  function touchPan(container, canvas) {
    var last = null;
    container.addEventListener("pointerdown", function (ev) {
      if (ev.pointerType === "mouse" || last) { return; }
      last = {id: ev.pointerId, x: ev.clientX, y: ev.clientY};
    });
    container.addEventListener("pointermove", function (ev) {
      if (!last || ev.pointerId !== last.id) { return; }
      canvas.scroll({dx: ev.clientX - last.x, dy: ev.clientY - last.y});
      last.x = ev.clientX; last.y = ev.clientY;
    });
    ["pointerup", "pointercancel"].forEach(function (type) {
      container.addEventListener(type, function (ev) {
        if (last && ev.pointerId === last.id) { last = null; }
      });
    });
  }

  function diagramTools(container, canvas, focus, hasSteps) {
    var tools = document.querySelector('[data-bpmn-tools="' + container.id + '"]'),
        zoomText = document.querySelector('[data-bpmn-zoom="' + container.id + '"]');
    if (!tools) { return; }
    var frame = container.closest("figure") || container;
    function say() {  // only when the zoom changed: moving the view is not announced
      var text = "Zoom : " + Math.round(canvas.zoom() * 100) + " %";
      if (zoomText && zoomText.textContent !== text) { zoomText.textContent = text; }
    }
    var actions = {
      "zoom-in": function () { canvas.zoom(Math.min(MAX_ZOOM, canvas.zoom() * ZOOM_STEP)); },
      "zoom-out": function () { canvas.zoom(Math.max(MIN_ZOOM, canvas.zoom() / ZOOM_STEP)); },
      "fit": function () { canvas.zoom("fit-viewport"); },
      "current": function () { centreOn(canvas, focus, Math.max(canvas.zoom(), READABLE_ZOOM)); },
      "fullscreen": function () {  // refused (a browser's setting): the button does nothing
        var asked = document.fullscreenElement ? document.exitFullscreen() : frame.requestFullscreen();
        if (asked && asked.catch) { asked.catch(function () {}); }
      }
    };
    tools.querySelectorAll("[data-bpmn-action]").forEach(function (button) {
      var action = button.dataset.bpmnAction;
      if ((action === "fullscreen" && !(document.fullscreenEnabled && frame.requestFullscreen)) ||
          (action === "current" && !hasSteps)) {  // a closed case has no current step
        button.parentNode.hidden = true;
        return;
      }
      button.addEventListener("click", function () { actions[action](); say(); });
    });
    // the keyboard, once the diagram has the focus: diagram-js moves it with Ctrl + arrows
    // only; the arrows alone move it here, + and - zoom, 0 fits
    var keys = {"ArrowLeft": [1, 0], "ArrowRight": [-1, 0], "ArrowUp": [0, 1], "ArrowDown": [0, -1]},
        svg = container.querySelector("svg");
    if (svg) {
      svg.addEventListener("keydown", function (ev) {
        if (ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
        var move = keys[ev.key], action = {"+": "zoom-in", "=": "zoom-in", "-": "zoom-out",
                                          "0": "fit"}[ev.key];
        if (move) {
          var speed = ev.shiftKey ? 200 : 50;
          canvas.scroll({dx: move[0] * speed, dy: move[1] * speed});
        } else if (action) {
          actions[action]();
          say();
        } else {
          return;
        }
        ev.preventDefault();
      });
    }
    document.addEventListener("fullscreenchange", function () {
      var full = document.fullscreenElement === frame;
      frame.classList.toggle("ui-bpmn-frame--full", full);
      var button = tools.querySelector('[data-bpmn-action="fullscreen"]');
      if (button) { button.setAttribute("aria-pressed", String(full)); }
      canvas.resized();
      initialView(canvas, focus);
      say();
    });
    // a phone turned, a window resized: the canvas measures its new size
    window.addEventListener("resize", function () { canvas.resized(); say(); });
    tools.hidden = false;
    if (zoomText) { zoomText.hidden = false; }
    say();
    return say;
  }

  // a drawn diagram made readable and movable: its label and text alternative, a readable first
  // view centred on `focus`, the tools (zoom, fit, centre on `focus` when `hasFocus`, full
  // screen), the keyboard and touch moves
  function navigable(viewer, container, label, focus, hasFocus) {
    var canvas = viewer.get("canvas"), svg = container.querySelector("svg");
    if (svg) {  // focusable for its keyboard moves, pointing at its text alternative
      svg.setAttribute("aria-label", label + " (flèches : se déplacer ; plus ou moins : zoomer ; " +
                       "zéro : ajuster)");
      if (container.dataset.describedby) {
        svg.setAttribute("aria-describedby", container.dataset.describedby);
      }
    }
    initialView(canvas, focus);
    var say = diagramTools(container, canvas, focus, hasFocus);
    if (say) { viewer.get("eventBus").on("canvas.viewbox.changed", say); }
    touchPan(container, canvas);
    container.dataset.ready = "true";
  }

  function diagram(containerId, stateId) {
    var container = document.getElementById(containerId);
    if (!container || !window.BpmnJS) { return; }
    var state = JSON.parse(document.getElementById(stateId).textContent);
    var viewer = new window.BpmnJS({container: container});
    viewers[containerId] = viewer;
    fetch(container.dataset.xmlUrl, {credentials: "same-origin"})
      .then(function (r) { return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry"),
            overlays = viewer.get("overlays");
        var done = new Set(state.completed), active = new Set(state.active);
        done.forEach(function (id) {
          var el = registry.get(id);
          if (!el || active.has(id)) { return; }
          if (el.children && el.children.length) { canvas.addMarker(id, "done-container"); return; }
          canvas.addMarker(id, "done");
          overlays.add(id, {position: {top: -4, right: 14}, html: '<span class="ui-done-overlay" aria-hidden="true">✓</span>'});
        });
        // sequence flows between two completed elements are on the completed path
        registry.filter(function (e) { return e.type === "bpmn:SequenceFlow"; }).forEach(function (e) {
          var s = e.businessObject.sourceRef, t = e.businessObject.targetRef;
          if (s && t && done.has(s.id) && (done.has(t.id) || active.has(t.id))) { canvas.addMarker(e.id, "done"); }
        });
        active.forEach(function (id) {
          var el = registry.get(id);
          if (el) { canvas.addMarker(id, el.children && el.children.length ? "active-container" : "active"); }
        });
        state.timers.forEach(function (t) {
          var el = registry.get(t.element);
          if (el) { overlays.add(t.element, timerOverlay(t, el)); }
        });
        navigable(viewer, container, "Diagramme du parcours du dossier",
                  currentElements(registry, state), !!(state.steps || []).length);
      })
      .catch(function (err) {
        container.textContent = "Le diagramme n'a pas pu être affiché : " + err.message;
        container.dataset.ready = "error";
      });
  }

  function factsPanel(panel) {
    var main = document.querySelector("[data-batch-main]"),
        title = document.getElementById("panneau-faits-titre"),
        body = document.getElementById("panneau-faits-contenu");
    panel.hidden = false;
    main.classList.add("fr-col-md-8");
    document.querySelectorAll("details[data-facts]").forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (!details.open) { return; }
        var list = details.querySelector("dl").cloneNode(true);
        title.textContent = "Faits du dossier " + details.dataset.facts;
        body.replaceChildren(list);
      });
    });
  }

  // the statistics' heatmap: how many cases wait at each step, darker where more wait
  function heatmap(containerId, stateId) {
    var container = document.getElementById(containerId);
    if (!container || !window.BpmnJS) { return; }
    var state = JSON.parse(document.getElementById(stateId).textContent);
    var viewer = new window.BpmnJS({container: container});
    viewers[containerId] = viewer;
    fetch(container.dataset.xmlUrl, {credentials: "same-origin"})
      .then(function (r) { return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry"),
            overlays = viewer.get("overlays");
        state.steps.forEach(function (s) {
          if (!registry.get(s.element) || !s.waiting) { return; }
          var level = Math.max(1, Math.ceil(3 * s.waiting / Math.max(1, state.top)));
          canvas.addMarker(s.element, "heat-" + level);
          var html = document.createElement("div");
          html.className = "ui-heat-overlay";
          html.dataset.element = s.element;
          var text = s.waiting + " en attente";
          if (s.median_days !== null) {
            text += " · méd. " + String(s.median_days).replace(".", ",") + " j · p90 " +
              String(s.p90_days).replace(".", ",") + " j";
          }
          html.textContent = text;
          overlays.add(s.element, {position: {top: -22, left: 0}, html: html});
        });
        // first seen: the steps that hold the most cases (else the start)
        var busiest = state.steps.filter(function (s) { return s.waiting && s.waiting === state.top; })
          .map(function (s) { return registry.get(s.element); })
          .filter(function (e) { return e && !e.waypoints; });
        var focus = busiest.length ? busiest :
          registry.filter(function (e) { return e.type === "bpmn:StartEvent"; });
        navigable(viewer, container, "Carte de chaleur du processus", focus, busiest.length > 0);
      })
      .catch(function (err) {
        container.textContent = "Le diagramme n'a pas pu être affiché : " + err.message;
        container.dataset.ready = "error";
      });
  }

  function init() {
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      (canvas.dataset.chart === "bar" ? barChart : lineChart)(canvas.id);
    });
    document.querySelectorAll("[data-bpmn-state]").forEach(function (el) {
      diagram(el.id, el.dataset.bpmnState);
    });
    document.querySelectorAll("[data-bpmn-heat]").forEach(function (el) {
      heatmap(el.id, el.dataset.bpmnHeat);
    });
    // "everyone present": ticks one value in every radio group of a table, the rest left to edit
    document.querySelectorAll("[data-fill-radios]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var table = document.getElementById(button.dataset.fillTarget);
        table.querySelectorAll('input[type=radio][value="' + button.dataset.fillRadios + '"]')
          .forEach(function (radio) { radio.checked = true; });
      });
    });
    // print the page (print.css): a button shown only where it works
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    // the attestations to verify: with JavaScript, the facts of the row last opened show in a
    // side panel beside the table too (without it, each row's disclosure shows them)
    var panel = document.querySelector("[data-facts-panel]");
    if (panel) { factsPanel(panel); }
    // a rejected form: focus its error summary, which links to each field in error; a command
    // to confirm: focus the confirmation's heading, what will happen read first
    var summary = document.querySelector("[data-error-summary]") ||
      document.querySelector("[data-confirm-heading]");
    if (summary) { summary.focus(); }
  }

  window.UI = {barChart: barChart, lineChart: lineChart, diagram: diagram, heatmap: heatmap,
               viewers: viewers};
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
