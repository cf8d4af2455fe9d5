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

  function diagram(containerId, stateId) {
    var container = document.getElementById(containerId);
    if (!container || !window.BpmnJS) { return; }
    var state = JSON.parse(document.getElementById(stateId).textContent);
    var viewer = new window.BpmnJS({container: container});
    fetch(container.dataset.xmlUrl, {credentials: "same-origin"})
      .then(function (r) { return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry"),
            overlays = viewer.get("overlays");
        canvas.zoom("fit-viewport");
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
          if (!registry.get(t.element)) { return; }
          var html = document.createElement("div");
          html.className = "ui-timer-overlay";
          // the page's words (web/labels.timer_due): the deadline the page shows, not the
          // instant the timer fires (the start of the next day)
          html.textContent = "Échéance : " + t.when;
          overlays.add(t.element, {position: {bottom: -4, left: -30}, html: html});
        });
        container.dataset.ready = "true";
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
    fetch(container.dataset.xmlUrl, {credentials: "same-origin"})
      .then(function (r) { return r.text(); })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () {
        var canvas = viewer.get("canvas"), registry = viewer.get("elementRegistry"),
            overlays = viewer.get("overlays");
        canvas.zoom("fit-viewport");
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
        container.dataset.ready = "true";
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

  window.UI = {barChart: barChart, lineChart: lineChart, diagram: diagram, heatmap: heatmap};
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
