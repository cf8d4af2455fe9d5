/* The editor's « Action du catalogue » section (issue 15): for the selected service task, a
   list of the platform's actions (GET /api/v1/actions) and a field per parameter of the chosen
   one, from its JSON Schema. It writes the convention of docs/process-bundle.md through the
   modeler's own commands (undoable): camunda:type="external", camunda:topic="<action>", and a
   camunda:inputParameter per filled field. The properties panel's Camunda provider shows and
   edits the same attributes (Implementation, Inputs). Plain DOM, no inline script or style. */
(function () {
  "use strict";

  const D = window.Designer, h = D.h;
  const section = document.getElementById("catalogue-action");
  const body = document.getElementById("catalogue-action-body");
  let catalogue = null, modeler = null, current = null;

  function inputOutput(bo) {
    const ext = bo.extensionElements;
    return ext ? (ext.get("values") || []).find(function (v) {
      return v.$type === "camunda:InputOutput"; }) : undefined;
  }

  function parameters(bo) {
    const io = inputOutput(bo), out = {};
    ((io && io.get("inputParameters")) || []).forEach(function (p) {
      if (p.name && typeof p.value === "string") { out[p.name] = p.value; }
    });
    return out;
  }

  function ensureInputOutput(element) {
    const modeling = modeler.get("modeling"), moddle = modeler.get("moddle");
    const bo = element.businessObject;
    let ext = bo.extensionElements;
    if (!ext) {
      ext = moddle.create("bpmn:ExtensionElements", {values: []});
      ext.$parent = bo;
      modeling.updateModdleProperties(element, bo, {extensionElements: ext});
    }
    let io = inputOutput(bo);
    if (!io) {
      io = moddle.create("camunda:InputOutput", {inputParameters: []});
      io.$parent = ext;
      modeling.updateModdleProperties(element, ext, {values: ext.get("values").concat([io])});
    }
    return io;
  }

  /** Set (or, empty, remove) parameter `name` of the service task. */
  function setParameter(element, name, value) {
    const modeling = modeler.get("modeling"), moddle = modeler.get("moddle");
    const io = value === "" ? inputOutput(element.businessObject) : ensureInputOutput(element);
    if (!io) { return; }
    const list = io.get("inputParameters"), found = list.find(function (p) { return p.name === name; });
    if (value === "") {
      if (found) { modeling.updateModdleProperties(element, io, {inputParameters: list.filter(function (p) { return p !== found; })}); }
    } else if (found) {
      modeling.updateModdleProperties(element, found, {value: value});
    } else {
      const p = moddle.create("camunda:InputParameter", {name: name, value: value});
      p.$parent = io;
      modeling.updateModdleProperties(element, io, {inputParameters: list.concat([p])});
    }
  }

  /** Choose the action: its topic, and only its own parameters kept. */
  function setAction(element, name) {
    const modeling = modeler.get("modeling");
    modeling.updateProperties(element, {"camunda:type": name ? "external" : undefined,
                                        "camunda:topic": name || undefined});
    const action = catalogue.find(function (a) { return a.name === name; });
    const keep = action ? Object.keys(action.parameters.properties || {}) : [];
    Object.keys(parameters(element.businessObject)).forEach(function (p) {
      if (keep.indexOf(p) < 0) { setParameter(element, p, ""); }
    });
  }

  function field(element, action, name, schema, value) {
    const id = "catalogue-param-" + name;
    const required = (action.parameters.required || []).indexOf(name) >= 0;
    const hint = (required ? "Obligatoire. " : "Facultatif. ") +
      "Un texte, ou « = » suivi d'une expression sur les données du processus." +
      (schema.maxLength ? " " + schema.maxLength + " caractères au plus." : "");
    const long = (schema.maxLength || 0) > 300;
    const input = h(long ? "textarea" : "input", {class: "fr-input", id: id, name: name,
      "aria-describedby": id + "-hint"});
    if (!long) { input.type = "text"; }
    input.value = value || "";
    input.addEventListener("change", function () { setParameter(element, name, input.value); });
    return h("div", {class: "fr-input-group"},
      h("label", {class: "fr-label", for: id}, (schema.title || name) + " (" + name + ")",
        h("span", {class: "fr-hint-text", id: id + "-hint", text: hint})),
      input);
  }

  function render() {
    const selected = modeler.get("selection").get();
    const element = selected.length === 1 ? selected[0] : null;
    if (!element || element.type !== "bpmn:ServiceTask" || !catalogue) {
      section.hidden = true;
      current = null;
      return;
    }
    current = element;
    const bo = element.businessObject, topic = bo.get("camunda:topic") || "";
    const select = h("select", {class: "fr-select", id: "catalogue-action-select",
                                name: "catalogue-action"},
      h("option", {value: "", text: "— Choisir une action —"}),
      catalogue.map(function (a) {
        return h("option", {value: a.name, selected: a.name === topic,
                            text: a.label + (a.job ? " (envoi différé)" : "")});
      }));
    select.addEventListener("change", function () { setAction(element, select.value); render(); });
    const action = catalogue.find(function (a) { return a.name === topic; });
    const values = parameters(bo);
    body.replaceChildren(h("div", {},
      h("div", {class: "fr-select-group"},
        h("label", {class: "fr-label", for: "catalogue-action-select", text: "Action"}), select),
      topic && !action ? h("p", {class: "fr-error-text", text: "Action inconnue du catalogue : « " + topic + " »."}) : null,
      action ? h("p", {class: "fr-hint-text", id: "catalogue-action-description", text: action.description}) : null,
      action ? Object.entries(action.parameters.properties || {}).map(function (entry) {
        return field(element, action, entry[0], entry[1], values[entry[0]]);
      }) : null));
    section.hidden = false;
  }

  async function start() {
    if (modeler || !window.DesignerEditor) { return; }
    modeler = window.DesignerEditor.modeler;
    try {
      catalogue = (await D.api("GET", "/actions")).items;
    } catch (err) {
      catalogue = null;  // the panel's Camunda provider still edits topic and inputs
    }
    modeler.on("selection.changed", render);
    modeler.on("elements.changed", function (event) {
      if (current && event.elements.indexOf(current) >= 0 && !section.contains(document.activeElement)) { render(); }
    });
    render();
  }

  document.addEventListener("designer-editor-ready", start);
  start();
})();
