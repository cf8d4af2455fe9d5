/* The BPMN editor page: the bpmn-js Modeler (French through BpmnFr), opening a version or a
   draft; "Enregistrer le brouillon" posts the XML as a new draft (never a live version) and
   shows its validation problems in a list and on the diagram (marker + overlay). */
(function () {
  "use strict";

  const D = window.Designer, h = D.h, say = D.say, config = D.config;
  const SCRIPT = document.getElementById("editor-script");
  /* The Camunda moddle descriptor (camunda-bpmn-moddle's resources/camunda.json, served from
     node_modules) is needed before the Modeler is built: the panel's Camunda Platform provider
     reads and writes camunda:formRef, camunda:dueDate and camunda:properties through it. */
  fetch(SCRIPT.dataset.camundaModdle, {credentials: "same-origin"})
    .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
    .then(start)
    .catch(function () {
      document.getElementById("canvas").replaceChildren(
        h("p", {class: "fr-error-text", text: "L'éditeur n'a pas pu être chargé (description des extensions Camunda introuvable)."}));
      document.getElementById("canvas").dataset.ready = "error";
    });

  function start(camundaDescriptor) {
  const MARKER = "probleme-bpmn";
  const container = document.getElementById("canvas");
  const buttons = {save: document.getElementById("save"), fit: document.getElementById("fit"),
                   exportXml: document.getElementById("export")};
  const P = window.BpmnJSPropertiesPanel;
  const modeler = new window.BpmnJS({
    container: container,
    propertiesPanel: {parent: "#properties"},
    /* PanelEngine: the panel offers only what the engine honours (panel-engine.js) */
    additionalModules: [window.BpmnFr.module, P.BpmnPropertiesPanelModule,
                        P.BpmnPropertiesProviderModule, P.CamundaPlatformPropertiesProviderModule,
                        window.PanelEngine.module, window.BpmnFr.panelModule],
    moddleExtensions: {camunda: camundaDescriptor}});
  const eventBus = modeler.get("eventBus");
  // what bpmn-js and its panel write without `translate` (bpmn-fr.js): the canvas holds the popup menus
  window.BpmnFr.observe(container);
  window.BpmnFr.observe(document.getElementById("properties"));
  const canvas = modeler.get("canvas"), registry = modeler.get("elementRegistry"),
    overlays = modeler.get("overlays"), selection = modeler.get("selection");
  let basedOn = config.version, marked = [], saving = false, currentProblems = [];
  const forms = {};  // form id -> form-js document: the bundle's forms, as loaded and as edited here
  const formButton = document.getElementById("form-open"), formPanel = document.getElementById("form-editor-panel");
  let formEditor = null, formElement = null;
  /* Decision tables (DMN, issue 15): decision id -> DMN XML, as loaded and as edited here; a
     business-rule task's table is the one its camunda:decisionRef names. */
  const decisions = {};
  const decisionButton = document.getElementById("decision-open"),
    decisionPanel = document.getElementById("decision-editor-panel");
  let dmnModeler = null, decisionElement = null;
  let formOpenedAs = null, decisionEdited = false;  // an open panel's edits not kept yet
  const watchedViewers = new WeakSet();

  function setReady(ready) {
    Object.values(buttons).forEach(function (b) { b.disabled = !ready; });
  }

  function clearProblems() {
    marked.forEach(function (id) { if (registry.get(id)) { canvas.removeMarker(id, MARKER); } });
    marked = [];
    overlays.remove({type: MARKER});
  }

  /** One problem or warning of the list: its element (a button showing it on the diagram). */
  function problemItem(p) {
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
  }

  /* warnings: what the engine ignores without consequence (workflows/extensions.py), listed
     after the problems; they never prevent a deployment */
  function warningList(warnings) {
    if (!warnings.length) { return []; }
    return [h("p", {class: "fr-hint-text", id: "warnings-count"},
              D.plural(warnings.length, "avertissement", "avertissements")
              + " : ignoré par le moteur, sans effet sur le déroulement des dossiers (le déploiement reste possible)."),
            h("ul", {id: "warning-list", class: "ui-problems"}, warnings.map(problemItem))];
  }

  /** problems: [{element_id, line, message}] — marked on the diagram and listed beside it;
      warnings (same shape) listed after them. */
  function showProblems(problems, warnings) {
    clearProblems();
    currentProblems = problems;
    panelErrors();
    const panel = document.getElementById("problems");
    const notes = warningList(warnings || []);
    if (!problems.length) {
      panel.replaceChildren(h("p", {id: "no-problem"}, D.badge("valide", "success"),
                              " Aucun problème de validation."), ...notes);
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
      h("ol", {id: "problem-list", class: "ui-problems"}, problems.map(problemItem)), ...notes);
  }

  /* The selected element's problems beside the panel's fields: `propertiesPanel.setErrors`
     (bpmn-js-properties-panel) with {entry id: message}. The server names an element, not a
     field, so the entry is guessed from the element: a flow's problem goes to its condition, a
     timer event's to its timer value, a message event's to its message, a script task's to its
     script, a user task's form or due-date problem to that field; anything else to the id. */
  function entryFor(element, message) {
    const bo = element.businessObject, type = element.type;
    const defs = (bo.eventDefinitions || []).map(function (d) { return d.$type; });
    if (type === "bpmn:SequenceFlow") { return "conditionExpression"; }
    if (defs.indexOf("bpmn:TimerEventDefinition") >= 0) { return "timerEventDefinitionValue"; }
    if (defs.indexOf("bpmn:MessageEventDefinition") >= 0 || type === "bpmn:ReceiveTask") { return "messageRef"; }
    if (type === "bpmn:ScriptTask") { return "scriptValue"; }
    if (type === "bpmn:UserTask" && /formulaire|form/i.test(message)) { return "formRef"; }
    if (/échéance|dueDate/i.test(message)) { return "dueDate"; }
    return "id";
  }

  function panelErrors() {
    const selected = selection.get();
    const errors = {};
    if (selected.length === 1) {
      currentProblems.forEach(function (p) {
        if (p.element_id === selected[0].id) {
          const entry = entryFor(selected[0], p.message);
          errors[entry] = errors[entry] ? errors[entry] + " " + p.message : p.message;
        }
      });
    }
    eventBus.fire("propertiesPanel.setErrors", {errors: errors});
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
        await loadForms("/drafts/" + config.draft + "/forms");
        await loadDecisions("/drafts/" + config.draft + "/decisions");
        await modeler.importXML(xml);
        showProblems(draft.problems || [], draft.warnings || []);
        showDraftLink(draft.id);
        document.getElementById("editor-origin").textContent = "Brouillon n° " + draft.id
          + ", basé sur la version " + draft.based_on + " — l'enregistrement crée un nouveau brouillon, jamais une version en service.";
      } else {
        xml = await D.api("GET", "/processes/" + encodeURIComponent(config.key) + "/versions/" + config.version);
        await loadForms("/processes/" + encodeURIComponent(config.key) + "/versions/" + config.version + "/forms");
        await loadDecisions("/processes/" + encodeURIComponent(config.key) + "/versions/" + config.version + "/decisions");
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

  /** The bundle's forms: {"forms": {form id: document}}; a 404 (no bundle endpoint) means none. */
  async function loadForms(path) {
    try {
      const out = await D.api("GET", path);
      Object.assign(forms, (out && out.forms) || {});
    } catch (err) {
      if (err.status !== 404) { throw err; }
    }
  }

  /** The forms the diagram references (camunda:formRef of its user tasks) that this page knows. */
  function referencedForms() {
    const ids = new Set();
    registry.filter(function (e) { return e.type === "bpmn:UserTask"; }).forEach(function (e) {
      const ref = e.businessObject.get("camunda:formRef");
      if (ref && forms[ref]) { ids.add(ref); }
    });
    return Array.from(ids);
  }

  /** The bundle's decision tables: {"decisions": {decision id: DMN XML}}; a 404 means none. */
  async function loadDecisions(path) {
    try {
      const out = await D.api("GET", path);
      Object.assign(decisions, (out && out.decisions) || {});
    } catch (err) {
      if (err.status !== 404) { throw err; }
    }
    listDecisions();
  }

  function listDecisions() {
    const ids = Object.keys(decisions).sort();
    document.getElementById("no-decision").hidden = ids.length > 0;
    document.getElementById("decision-list").replaceChildren(...ids.map(function (id) {
      return h("li", {}, h("button", {type: "button", class: "fr-btn fr-btn--tertiary",
                                      "data-decision": id,
                                      onclick: function () { openDecision(id, null); }},
                           "Ouvrir la table « " + id + " »"));
    }));
  }

  /** The decisions the diagram references (camunda:decisionRef of its business-rule tasks). */
  function referencedDecisions() {
    const ids = new Set();
    registry.filter(function (e) { return e.type === "bpmn:BusinessRuleTask"; }).forEach(function (e) {
      const ref = e.businessObject.get("camunda:decisionRef");
      if (ref && decisions[ref]) { ids.add(ref); }
    });
    return Array.from(ids);
  }

  function selectedRuleTask() {
    const selected = selection.get();
    return selected.length === 1 && selected[0].type === "bpmn:BusinessRuleTask" ? selected[0] : null;
  }

  /** A new table for a task: Python cells (expressionLanguage="python"), one input to fill in. */
  function newDecision(id, name) {
    const esc = function (s) { return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;"); };
    return '<?xml version="1.0" encoding="UTF-8"?>\n'
      + '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="definitions_' + esc(id)
      + '" name="' + esc(name) + '" namespace="http://camunda.org/schema/1.0/dmn" expressionLanguage="python">'
      + '<decision id="' + esc(id) + '" name="' + esc(name) + '">'
      + '<decisionTable id="table_' + esc(id) + '" hitPolicy="UNIQUE">'
      + '<input id="entree_1" label="Entrée"><inputExpression id="expression_1" typeRef="string"><text></text></inputExpression></input>'
      + '<output id="sortie_1" label="Sortie" name="resultat" typeRef="string" />'
      + '</decisionTable></decision></definitions>';
  }

  /* dmn-js is loaded the first time a table is opened, not with the page: its UMD (dmn-js
     17.10.2's only build, « production » included) bundles a development build of Inferno, which
     logs a console error and costs every editor load a megabyte of script (dmn-js#965). */
  let dmnLoading = null;
  function loadDmnJs() {
    if (window.DmnJS) { return Promise.resolve(); }
    if (!dmnLoading) {
      dmnLoading = new Promise(function (resolve, reject) {
        document.head.append(h("script", {src: SCRIPT.dataset.dmnJs, onload: resolve,
                                          onerror: function () { dmnLoading = null; reject(new Error("dmn-js")); }}));
      });
    }
    return dmnLoading;
  }

  async function openDecision(id, element) {
    decisionElement = element;
    const xml = decisions[id] || newDecision(id, (element && element.businessObject.name) || id);
    decisionPanel.hidden = false;
    try {
      await loadDmnJs();
    } catch {
      say("L'éditeur de tables de décision n'a pas pu être chargé : rechargez la page.");
      return;
    }
    if (!dmnModeler) {
      /* the translate module per view: dmn-js 17 replaces `common.additionalModules` with the
         view's own list (Manager._createViewer) */
      /* the column types offered are the ones the server takes (workflows/decisions.TYPE_REFS) */
      const fr = {additionalModules: [window.DmnFr.module], dataTypes: config.decision_type_refs};
      const table = {additionalModules: [window.DmnFr.module, window.DmnFr.tableModule],
                     dataTypes: config.decision_type_refs};
      dmnModeler = new window.DmnJS({container: document.getElementById("decision-editor"),
                                     drd: fr, decisionTable: table, literalExpression: fr});
      window.DmnFr.observe(document.getElementById("decision-editor"));  // its two literals
    }
    try {
      await dmnModeler.importXML(xml);
      const table = dmnModeler.getViews().find(function (v) { return v.type === "decisionTable"; });
      if (table) { await dmnModeler.open(table); }
      decisionEdited = false;
      const viewer = dmnModeler.getActiveViewer();
      if (viewer && !watchedViewers.has(viewer)) {  // dmn-js keeps one viewer per kind of view
        watchedViewers.add(viewer);
        viewer.get("eventBus").on("elements.changed", function () { decisionEdited = true; });
      }
    } catch (err) {
      say("La table « " + id + " » n'a pas pu être ouverte : " + (err.message || err));
      return;
    }
    document.getElementById("decision-name").textContent = "« " + id + " »";
    decisionPanel.dataset.decision = id;
    decisionPanel.scrollIntoView({block: "start"});
    say("Table de décision « " + id + " » ouverte dans l'éditeur de tables.");
  }

  async function saveDecision() {
    if (!dmnModeler) { return; }
    const id = decisionPanel.dataset.decision;
    const out = await dmnModeler.saveXML({format: true});
    decisions[id] = out.xml;
    if (decisionElement && decisionElement.businessObject.get("camunda:decisionRef") !== id) {
      modeler.get("modeling").updateProperties(decisionElement, {"camunda:decisionRef": id});
    }
    document.getElementById("dirty").hidden = false;
    closeDecision();
    listDecisions();
    say("Table « " + id + " » gardée" + (decisionElement ? " et reliée à la tâche" : "")
        + " : enregistrez le brouillon pour l'envoyer.");
  }

  function closeDecision() {
    decisionEdited = false;
    decisionPanel.hidden = true;
    decisionElement = null;
    decisionButton.focus();
  }

  function selectedUserTask() {
    const selected = selection.get();
    return selected.length === 1 && selected[0].type === "bpmn:UserTask" ? selected[0] : null;
  }

  /* form-js 1.23 keeps its selection across `importSchema`: after loading another form, the
     properties panel went on showing (and editing) the field selected in the form shown before,
     a field the new form does not have (an empty form showed it too). Each import now starts
     with nothing selected, so the panel shows the form's own properties. Run before the
     panel's own `import.done` listener (priority 1000). */
  function FreshSelection(eventBus, formSelection) {
    eventBus.on("import.done", 1500, function () { formSelection.clear(); });
  }
  FreshSelection.$inject = ["eventBus", "selection"];
  const freshSelectionModule = {__init__: ["freshSelection"],
                                freshSelection: ["type", FreshSelection]};

  async function openForm() {
    const element = selectedUserTask();
    if (!element) { return; }
    closePreview();
    formElement = element;
    const id = element.businessObject.get("camunda:formRef") || element.id;
    const schema = forms[id] ? JSON.parse(JSON.stringify(forms[id]))
      : {type: "default", id: id, components: [], schemaVersion: 16};
    formPanel.hidden = false;
    if (!formEditor) {
      /* French: the palette's names and new fields' labels (acceptedFieldsModule), the panel's
         groups through its providers (panelModule), the rest through the scoped translation of
         the editor's DOM (observe); the FEEL pop-up opens inside the editor, so it is too */
      const formContainer = document.getElementById("form-editor");
      formEditor = new window.FormEditor.FormEditor({
        container: formContainer,
        propertiesPanel: {feelPopupContainer: formContainer},
        additionalModules: [window.FormFr.acceptedFieldsModule(config.form_field_types || [],
                                                               config.form_field_labels),
                            window.FormFr.panelModule, freshSelectionModule]});
      window.FormFr.observe(formContainer, config.form_field_labels);
    }
    try {
      await formEditor.importSchema(schema);
      formOpenedAs = JSON.stringify(formEditor.saveSchema());
    } catch (err) {
      say("Le formulaire « " + id + " » n'a pas pu être ouvert : " + (err.message || err));
      return;
    }
    const name = element.businessObject.name;
    document.getElementById("form-task").textContent = "« " + (name || element.id) + " »";
    formPanel.dataset.form = id;
    formPanel.scrollIntoView({block: "start"});
    say("Formulaire « " + id + " » ouvert dans l'éditeur de formulaires.");
  }

  function saveForm() {
    if (!formEditor || !formElement) { return; }
    const id = formPanel.dataset.form;
    const schema = formEditor.saveSchema();
    schema.id = id;
    forms[id] = schema;
    if (formElement.businessObject.get("camunda:formRef") !== id) {
      modeler.get("modeling").updateProperties(formElement, {"camunda:formRef": id});
    }
    document.getElementById("dirty").hidden = false;
    closeForm();
    say("Formulaire « " + id + " » gardé et relié à la tâche : enregistrez le brouillon pour l'envoyer.");
  }

  function closeForm() {
    closePreview();
    formPanel.hidden = true;
    formElement = null;
    formButton.focus();
  }

  /* « Aperçu côté agent »: the form as it is in the editor, posted to the server, which draws
     it as a clerk's case page draws it (web/ui/form_preview.py: the same macro and code path)
     or tells the problems a deployment would give it; « Essayer », the preview's own submit
     button, posts the values typed there and the server answers with the clerk's French
     messages under the fields, or with the values the process would receive. Nothing is
     stored. The answer is an HTML fragment (`data-form-preview`); any other answer (403, 413…)
     is the UI's French error page, whose title and detail are shown. */
  const previewPanel = document.getElementById("form-preview-panel"),
    previewBody = document.getElementById("form-preview-body");
  let previewing = false;

  async function previewForm(typed) {
    if (!formEditor || !formElement || previewing) { return; }
    previewing = true;
    const id = formPanel.dataset.form;
    const schema = formEditor.saveSchema();
    schema.id = id;
    const data = typed || new FormData();
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (!data.has("csrf_token")) { data.set("csrf_token", meta ? meta.getAttribute("content") : ""); }
    data.set("_apercu_schema", new Blob([JSON.stringify(schema)], {type: "application/json"}), id + ".form");
    data.set("_apercu_tache", formElement.id);
    data.set("_apercu_nom", formElement.businessObject.name || "");
    const draft = container.dataset.draft || config.draft;
    data.set(draft ? "_apercu_brouillon" : "_apercu_version", String(draft || config.version));
    if (typed) { data.set("_apercu_essai", "1"); }
    previewPanel.hidden = false;
    previewBody.setAttribute("aria-busy", "true");
    say(typed ? "Essai du formulaire côté agent…" : "Aperçu du formulaire côté agent…");
    let status = 0, page = "";
    try {
      const resp = await fetch(config.form_preview, {method: "POST", body: data, credentials: "same-origin",
                                                      headers: {Accept: "text/html"}});
      status = resp.redirected ? 401 : resp.status;  // the login form: the session has ended
      page = resp.redirected ? "" : await resp.text();
    } catch (err) {
      status = 0;
    } finally {
      previewing = false;
      previewBody.removeAttribute("aria-busy");
    }
    const doc = new DOMParser().parseFromString(page, "text/html");
    const fragment = doc.querySelector("[data-form-preview]");
    if (!fragment) {
      const detail = doc.querySelector(".fr-alert p"), title = doc.querySelector("h1");
      previewBody.replaceChildren(D.errorBox({status: status, errors: {},
        title: "Aperçu impossible" + (title ? " : " + title.textContent.trim().toLowerCase() : ""),
        detail: detail ? detail.textContent.trim()
          : status === 0 ? "Le serveur ne répond pas : vérifiez la connexion et réessayez."
          : status === 401 ? "Votre session a expiré : reconnectez-vous."
          : "Erreur " + status + " : l'aperçu n'a pas pu être affiché."}));
      say("L'aperçu du formulaire n'a pas pu être affiché.");
      document.getElementById("h-form-preview").focus();
      return;
    }
    previewBody.replaceChildren(document.importNode(fragment, true));
    const state = fragment.getAttribute("data-form-preview");
    const target = previewBody.querySelector("[data-error-summary], #apercu-accepte, #apercu-problemes")
      || document.getElementById("h-form-preview");
    target.focus();
    target.scrollIntoView({block: "start"});
    say({probleme: "Aperçu impossible : le formulaire a des problèmes.",
         refuse: "Essai : l'agent verrait des erreurs sous les champs.",
         accepte: "Essai : les données seraient acceptées.",
         formulaire: "Aperçu côté agent affiché : remplissez-le puis « Essayer »."}[state] || "");
  }

  function closePreview() {
    previewPanel.hidden = true;
    previewBody.replaceChildren();
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
      /* With forms: multipart, the BPMN as <key>.bpmn and each referenced form as <id>.form (the
         bundle upload of docs/process-bundle.md); without: the raw XML (the draft inherits the
         forms of the version it is based on). */
      const used = referencedForms(), tables = referencedDecisions();
      let body = {xml: out.xml};
      if (used.length || tables.length) {
        const data = new FormData();
        data.append("bpmn", new Blob([out.xml], {type: "application/xml"}), config.key + ".bpmn");
        used.forEach(function (id) {
          data.append("forms", new Blob([JSON.stringify(forms[id], null, 2)], {type: "application/json"}), id + ".form");
        });
        tables.forEach(function (id) {  // the decision tables as <id>.dmn (docs/process-bundle.md)
          data.append("decisions", new Blob([decisions[id]], {type: "application/xml"}), id + ".dmn");
        });
        body = {form: data};
      }
      /* from_draft: the draft this page opened (or saved last) lends what is not sent again,
         its letters above all, instead of the version it is based on */
      const opened = container.dataset.draft || config.draft;
      const draft = await D.api("POST", "/processes/" + encodeURIComponent(config.key) + "/drafts?based_on=" + basedOn
                                + (opened ? "&from_draft=" + encodeURIComponent(opened) : ""), body);
      const problems = draft.problems || [], warnings = draft.warnings || [];
      showProblems(problems, warnings);
      showDraftLink(draft.id);
      history.replaceState(null, "", D.ui.editor(config.key, draft.id));
      document.getElementById("dirty").hidden = true;
      container.dataset.draft = String(draft.id);
      say("Brouillon n° " + draft.id + " enregistré (basé sur la version " + draft.based_on + ")"
          + (problems.length ? " : " + D.plural(problems.length, "problème", "problèmes") + " de validation à corriger."
            : " : aucun problème de validation ; vous pouvez le tester puis le déployer.")
          + (warnings.length ? " " + D.plural(warnings.length, "avertissement", "avertissements") + " (non bloquant)." : ""));
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

  /* Leaving with edits not sent as a draft (the diagram's, or a form's or a table's not even
     kept yet) asks first: the browser's own confirmation, its text chosen by the browser. */
  function unsaved() {
    if (!document.getElementById("dirty").hidden) { return true; }
    if (!formPanel.hidden && formEditor && formOpenedAs !== null
        && JSON.stringify(formEditor.saveSchema()) !== formOpenedAs) { return true; }
    return !decisionPanel.hidden && decisionEdited;
  }
  window.addEventListener("beforeunload", function (event) {
    if (!saving && unsaved()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  modeler.on("commandStack.changed", function () {
    if (container.dataset.ready === "true") { document.getElementById("dirty").hidden = false; }
  });
  modeler.on("selection.changed", function () {
    formButton.disabled = container.dataset.ready !== "true" || !selectedUserTask();
    decisionButton.disabled = container.dataset.ready !== "true" || !selectedRuleTask();
    panelErrors();
  });
  formButton.addEventListener("click", openForm);
  document.getElementById("form-save").addEventListener("click", saveForm);
  document.getElementById("form-close").addEventListener("click", closeForm);
  document.getElementById("form-preview").addEventListener("click", function () { previewForm(null); });
  document.getElementById("form-preview-close").addEventListener("click", function () {
    closePreview();
    document.getElementById("form-preview").focus();
  });
  previewBody.addEventListener("submit", function (event) {  // « Essayer »
    event.preventDefault();
    previewForm(new FormData(event.target));
  });
  decisionButton.addEventListener("click", function () {
    const element = selectedRuleTask();
    if (element) { openDecision(element.businessObject.get("camunda:decisionRef") || element.id, element); }
  });
  document.getElementById("decision-save").addEventListener("click", saveDecision);
  document.getElementById("decision-close").addEventListener("click", closeDecision);
  buttons.save.addEventListener("click", save);
  buttons.fit.addEventListener("click", function () { canvas.zoom("fit-viewport"); });
  buttons.exportXml.addEventListener("click", exportXml);
  window.DesignerEditor = {modeler: modeler, focusElement: focusElement, forms: forms,  // for tests and the console
                           formEditor: function () { return formEditor; },
                           decisions: decisions, dmn: function () { return dmnModeler; }};
  document.dispatchEvent(new CustomEvent("designer-editor-ready"));  // editor-actions.js
  open();
  }
})();
