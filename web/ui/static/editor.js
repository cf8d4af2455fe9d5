/* The BPMN editor page: the bpmn-js Modeler (French through BpmnFr), opening a version or a
   draft; "Enregistrer le brouillon" posts the XML as a new draft (never a live version) and
   shows its validation problems in a list and on the diagram (marker + overlay). */
(function () {
  "use strict";

  const D = window.Designer, h = D.h, say = D.say, config = D.config;
  const MARKER = "probleme-bpmn";
  const container = document.getElementById("canvas");
  const buttons = {save: document.getElementById("save"), fit: document.getElementById("fit"),
                   exportXml: document.getElementById("export")};
  const modeler = new window.BpmnJS({container: container,
                                     additionalModules: [window.BpmnFr.module]});
  const canvas = modeler.get("canvas"), registry = modeler.get("elementRegistry"),
    overlays = modeler.get("overlays"), selection = modeler.get("selection");
  let basedOn = config.version, marked = [], saving = false;

  function setReady(ready) {
    Object.values(buttons).forEach(function (b) { b.disabled = !ready; });
  }

  function clearProblems() {
    marked.forEach(function (id) { if (registry.get(id)) { canvas.removeMarker(id, MARKER); } });
    marked = [];
    overlays.remove({type: MARKER});
  }

  /** problems: [{element_id, line, message}] — marked on the diagram and listed beside it. */
  function showProblems(problems) {
    clearProblems();
    const panel = document.getElementById("problems");
    if (!problems.length) {
      panel.replaceChildren(h("p", {id: "no-problem"}, D.badge("valide", "success"),
                              " Aucun problème de validation."));
      return;
    }
    const byElement = new Map();
    problems.forEach(function (p) {
      if (p.element_id && registry.get(p.element_id)) {
        if (!byElement.has(p.element_id)) { byElement.set(p.element_id, []); }
        byElement.get(p.element_id).push(p.message);
      }
    });
    byElement.forEach(function (messages, id) {
      canvas.addMarker(id, MARKER);
      marked.push(id);
      overlays.add(id, MARKER, {position: {bottom: -6, left: 0},
                                html: h("div", {class: "ui-probleme-overlay", "aria-hidden": "true"},
                                        messages.join(" "))});
    });
    panel.replaceChildren(
      h("p", {class: "fr-error-text", id: "problems-count"},
        D.plural(problems.length, "problème", "problèmes") + " : le brouillon est enregistré mais ne peut pas être déployé tel quel."),
      h("ol", {id: "problem-list", class: "ui-problems"}, problems.map(function (p) {
        const where = p.line ? " (ligne " + p.line + ")" : "";
        if (!p.element_id) {
          return h("li", {}, h("strong", {text: "Document"}), where + " : " + p.message);
        }
        if (!registry.get(p.element_id)) {
          return h("li", {"data-element-id": p.element_id}, h("code", {text: p.element_id}),
                   " (absent du diagramme)" + where + " : " + p.message);
        }
        return h("li", {"data-element-id": p.element_id},
          h("button", {type: "button", class: "fr-link", "data-element-id": p.element_id,
                       "aria-label": "Montrer l'élément " + p.element_id + " sur le diagramme",
                       onclick: function () { focusElement(p.element_id); }},
            p.element_id),
          where + " : " + p.message);
      })));
  }

  function focusElement(id) {
    const element = registry.get(id);
    if (!element) { return; }
    selection.select(element);
    canvas.scrollToElement(element, {top: 120, bottom: 120, left: 120, right: 120});
    const name = element.businessObject && element.businessObject.name;
    say("Élément " + id + (name ? " « " + name + " »" : "") + " sélectionné sur le diagramme.");
  }

  /** A 422 from the API (unsafe or malformed XML): its `errors` keyed by element id. */
  function problemsOf(err) {
    return Object.entries(err.errors || {}).flatMap(function (entry) {
      const id = entry[0] === "document" || entry[0] === "body" || entry[0] === "file" ? null : entry[0];
      return [].concat(entry[1]).map(function (message) { return {element_id: id, line: null, message: message}; });
    });
  }

  async function open() {
    let xml;
    try {
      if (config.draft) {
        const draft = await D.api("GET", "/drafts/" + config.draft);
        if (draft.key !== config.key) {
          throw Object.assign(new Error(), {detail: "Le brouillon n° " + config.draft + " est un brouillon du processus « " + draft.key + " »."});
        }
        basedOn = draft.based_on;
        xml = await D.api("GET", "/drafts/" + config.draft + "/xml");
        await modeler.importXML(xml);
        showProblems(draft.problems || []);
        showDraftLink(draft.id);
        document.getElementById("editor-origin").textContent = "Brouillon n° " + draft.id
          + ", basé sur la version " + draft.based_on + " — l'enregistrement crée un nouveau brouillon, jamais une version en service.";
      } else {
        xml = await D.api("GET", "/processes/" + encodeURIComponent(config.key) + "/versions/" + config.version);
        await modeler.importXML(xml);
      }
    } catch (err) {
      say("");
      container.replaceChildren(D.errorBox(err, "Le diagramme n'a pas pu être ouvert"));
      container.dataset.ready = "error";
      return;
    }
    canvas.zoom("fit-viewport");
    setReady(true);
    container.dataset.ready = "true";
    say("Diagramme ouvert : modifiez-le puis enregistrez le brouillon.");
  }

  function showDraftLink(id) {
    const a = document.getElementById("draft-link");
    a.href = D.ui.draft(id);
    a.textContent = "Tester et déployer le brouillon n° " + id;
    a.hidden = false;
  }

  async function save() {
    if (saving) { return; }
    saving = true;
    buttons.save.disabled = true;
    say("Enregistrement du brouillon…");
    try {
      const out = await modeler.saveXML({format: true});
      const draft = await D.api("POST", "/processes/" + encodeURIComponent(config.key) + "/drafts?based_on=" + basedOn,
                                {xml: out.xml});
      const problems = draft.problems || [];
      showProblems(problems);
      showDraftLink(draft.id);
      history.replaceState(null, "", D.ui.editor(config.key, draft.id));
      document.getElementById("dirty").hidden = true;
      container.dataset.draft = String(draft.id);
      say("Brouillon n° " + draft.id + " enregistré (basé sur la version " + draft.based_on + ")"
          + (problems.length ? " : " + D.plural(problems.length, "problème", "problèmes") + " de validation à corriger."
            : " : aucun problème de validation ; vous pouvez le tester puis le déployer."));
    } catch (err) {
      if (err.status === 422) {
        showProblems(problemsOf(err).length ? problemsOf(err) : [{element_id: null, line: null, message: err.detail}]);
        say("Le brouillon n'a pas été enregistré : " + err.detail);
      } else {
        say("");
        document.getElementById("problems").replaceChildren(D.errorBox(err, "Le brouillon n'a pas été enregistré"));
      }
    } finally {
      saving = false;
      buttons.save.disabled = false;
    }
  }

  async function exportXml() {
    const out = await modeler.saveXML({format: true});
    const url = URL.createObjectURL(new Blob([out.xml], {type: "application/xml"}));
    const a = h("a", {href: url, download: config.key + (config.draft ? "-brouillon" : "") + ".bpmn"});
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  modeler.on("commandStack.changed", function () {
    if (container.dataset.ready === "true") { document.getElementById("dirty").hidden = false; }
  });
  buttons.save.addEventListener("click", save);
  buttons.fit.addEventListener("click", function () { canvas.zoom("fit-viewport"); });
  buttons.exportXml.addEventListener("click", exportXml);
  window.DesignerEditor = {modeler: modeler, focusElement: focusElement};  // for tests and the console
  open();
})();
