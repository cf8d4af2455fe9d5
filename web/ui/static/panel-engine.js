/* The properties panel offers what the engine honours, nothing more (docs/designers.md,
   « Extensions Camunda et autres moteurs »). bpmn-js-properties-panel's Camunda Platform
   provider offers all of Camunda 7 — task and execution listeners, asynchronous continuations,
   Java classes and expressions on service tasks, assignees, embedded and generated forms… —
   which SpiffWorkflow would silently ignore and which the server's validation refuses
   (workflows/extensions.py). A provider run after it removes those groups and entries, unless
   the selected element already uses the feature (a file from another tool): then it stays, so
   that the designer sees it, and can remove what the validation names. */
(function () {
  "use strict";

  function bo(element) { return element.businessObject; }
  function defined(value) { return value !== undefined && value !== null && value !== ""; }
  /* the attribute is written on the object: its default (decisionRefBinding's « latest »…),
     which the moddle answers when it is absent, does not count */
  function set(object, name) {
    if (!object || !defined(object.get(name))) { return false; }
    const own = Object.prototype.hasOwnProperty;
    return own.call(object, name.slice(name.indexOf(":") + 1)) || own.call(object, name)
      || own.call(object.$attrs || {}, name);
  }
  /* the process a Participant or a Process element stands for (where the process-level
     attributes live) */
  function processOf(element) {
    const b = bo(element);
    return b.$instanceOf && b.$instanceOf("bpmn:Participant") ? b.get("processRef") : b;
  }
  function extensions(object, type) {
    const ext = object && object.get("extensionElements");
    return ext ? (ext.get("values") || []).filter(function (v) { return v.$instanceOf(type); }) : [];
  }
  function attr(name) { return function (element) { return set(bo(element), name); }; }
  function processAttr(name) { return function (element) { return set(processOf(element), name); }; }
  function isTrue(object, name) { return Boolean(object) && object.get(name) === true; }
  function isFalse(object, name) { return Boolean(object) && object.get(name) === false; }
  function any() {
    const tests = Array.prototype.slice.call(arguments);
    return function (element) { return tests.some(function (t) { return t(element); }); };
  }
  function loop(element) { return bo(element).get("loopCharacteristics"); }
  function eventDefinition(element, type) {
    return (bo(element).get("eventDefinitions") || []).find(function (d) { return d.$instanceOf(type); });
  }
  function is(element, type) { return bo(element).$instanceOf(type); }

  /* what carries a Camunda service implementation: the task, or a message event's definition */
  function serviceLike(element) {
    return is(element, "bpmn:Event") ? eventDefinition(element, "bpmn:MessageEventDefinition") : bo(element);
  }
  /* an implementation the engine does not run: a Java class, an expression, a connector, or a
     Camunda external task anywhere but on a service task (where it names a catalogue action) */
  function foreignImplementation(element) {
    const s = serviceLike(element);
    if (!s) { return false; }
    const service = is(element, "bpmn:ServiceTask");
    return ["camunda:class", "camunda:expression", "camunda:delegateExpression"].some(function (n) { return set(s, n); })
      || extensions(s, "camunda:Connector").length > 0
      || (set(s, "camunda:type") && !(service && s.get("camunda:type") === "external"))
      || (set(s, "camunda:topic") && !service);
  }
  function foreignForm(element) {
    const b = bo(element);
    return set(b, "camunda:formKey") || extensions(b, "camunda:FormData").length > 0
      || (is(element, "bpmn:StartEvent") && set(b, "camunda:formRef"));
  }
  function inOut(element) {
    return extensions(bo(element), "camunda:In").length + extensions(bo(element), "camunda:Out").length > 0;
  }
  function errorDefinitionAttr(name) {
    return function (element) { return set(eventDefinition(element, "bpmn:ErrorEventDefinition") || bo(element), name); };
  }
  function errorMessage(element) {
    const d = eventDefinition(element, "bpmn:ErrorEventDefinition");
    const error = d ? d.get("errorRef") : (is(element, "bpmn:Error") ? bo(element) : null);
    return set(error, "camunda:errorMessage");
  }
  function loopAttr(name) { return function (element) { return set(loop(element), name); }; }
  function loopAsync(name) { return function (element) { return isTrue(loop(element), name); }; }

  /* Entries of the panel's groups for what the engine ignores, by entry id: kept only when the
     element uses the feature (the predicate). Entries not listed are what the engine reads. */
  const ENTRIES = {
    asynchronousContinuationBefore: function (e) { return isTrue(bo(e), "camunda:asyncBefore") || isTrue(bo(e), "camunda:async"); },
    asynchronousContinuationAfter: function (e) { return isTrue(bo(e), "camunda:asyncAfter"); },
    exclusive: function (e) { return isFalse(bo(e), "camunda:exclusive"); },
    retryTimeCycle: function (e) { return extensions(bo(e), "camunda:FailedJobRetryTimeCycle").length > 0; },
    jobPriority: any(attr("camunda:jobPriority"), processAttr("camunda:jobPriority")),
    externalTaskPriority: any(attr("camunda:taskPriority"), processAttr("camunda:taskPriority")),
    candidateStarterGroups: processAttr("camunda:candidateStarterGroups"),
    candidateStarterUsers: processAttr("camunda:candidateStarterUsers"),
    historyTimeToLive: processAttr("camunda:historyTimeToLive"),
    isStartableInTasklist: function (e) { return isFalse(processOf(e), "camunda:isStartableInTasklist"); },
    versionTag: processAttr("camunda:versionTag"),
    initiator: attr("camunda:initiator"),
    // a user task: its assignment (lanes name the group), follow-up and priority; the due date stays
    assignee: attr("camunda:assignee"),
    candidateGroups: attr("camunda:candidateGroups"),
    candidateUsers: attr("camunda:candidateUsers"),
    followUpDate: attr("camunda:followUpDate"),
    priority: attr("camunda:priority"),
    // forms: only Camunda Forms (linked), the bundle's form (camunda:formRef)
    formType: foreignForm,
    formRefBinding: attr("camunda:formRefBinding"),
    formRefVersion: attr("camunda:formRefVersion"),
    // service tasks (the « Action du catalogue » section sets the external topic), business-rule
    // tasks (the « Table de décision de la tâche » button sets camunda:decisionRef)
    implementationType: foreignImplementation,
    decisionRefBinding: attr("camunda:decisionRefBinding"),
    decisionRefVersion: attr("camunda:decisionRefVersion"),
    decisionRefVersionTag: attr("camunda:decisionRefVersionTag"),
    decisionRefTenantId: attr("camunda:decisionRefTenantId"),
    decisionRefResultVariable: attr("camunda:resultVariable"),
    mapDecisionResult: attr("camunda:mapDecisionResult"),
    // script tasks: the script is written in the element (no external resource, no result variable)
    scriptType: attr("camunda:resource"),
    scriptResultVariable: attr("camunda:resultVariable"),
    // call activities: the process of the same file, with all the data
    calledElementBinding: attr("camunda:calledElementBinding"),
    calledElementVersion: attr("camunda:calledElementVersion"),
    calledElementVersionTag: attr("camunda:calledElementVersionTag"),
    calledElementTenantId: attr("camunda:calledElementTenantId"),
    calledElementBusinessKey: inOut,
    calledElementBusinessKeyExpression: inOut,
    calledElementDelegateVariableMappingType: any(attr("camunda:variableMappingClass"), attr("camunda:variableMappingDelegateExpression")),
    calledElementVariableMappingClass: attr("camunda:variableMappingClass"),
    calledElementVariableMappingDelegateExpression: attr("camunda:variableMappingDelegateExpression"),
    "inMapping-propagation": inOut,
    "inMapping-propagation-local": inOut,
    "outMapping-propagation": inOut,
    "outMapping-propagation-local": inOut,
    // multi-instance: the BPMN cardinality or input collection, never asynchronous
    collection: loopAttr("camunda:collection"),
    elementVariable: loopAttr("camunda:elementVariable"),
    multiInstanceAsynchronousBefore: loopAsync("camunda:asyncBefore"),
    multiInstanceAsynchronousAfter: loopAsync("camunda:asyncAfter"),
    multiInstanceExclusive: function (e) { return isFalse(loop(e), "camunda:exclusive"); },
    multiInstanceRetryTimeCycle: function (e) { return extensions(loop(e), "camunda:FailedJobRetryTimeCycle").length > 0; },
    // errors and escalations: their code is not put in the data
    errorMessage: errorMessage,
    errorCodeVariable: errorDefinitionAttr("camunda:errorCodeVariable"),
    errorMessageVariable: errorDefinitionAttr("camunda:errorMessageVariable"),
    escalationCodeVariable: function (e) {
      return set(eventDefinition(e, "bpmn:EscalationEventDefinition"), "camunda:escalationCodeVariable");
    },
  };

  /* List groups of what the engine ignores (listeners, field injections, generated form
     fields, connectors, variable mappings, outputs, external task errors): shown only when the
     element has items in them. A service task's inputs are the action's parameters. */
  const LIST_GROUPS = new Set([
    "CamundaPlatform__TaskListener", "CamundaPlatform__ExecutionListener",
    "CamundaPlatform__FieldInjection", "CamundaPlatform__FormData",
    "CamundaPlatform__ConnectorInput", "CamundaPlatform__ConnectorOutput",
    "CamundaPlatform__InMapping", "CamundaPlatform__OutMapping", "CamundaPlatform__Errors",
    "CamundaPlatform__Output", "CamundaPlatform__Input",
  ]);

  function offered(element, groups, translate) {
    return groups.map(function (group) {
      if (LIST_GROUPS.has(group.id)) {
        const keep = (group.items || []).length > 0
          || (group.id === "CamundaPlatform__Input" && is(element, "bpmn:ServiceTask"));
        return keep ? group : null;
      }
      if (!Array.isArray(group.entries)) { return group; }
      const entries = group.entries.filter(function (entry) {
        const inUse = ENTRIES[entry.id];
        return !inUse || inUse(element);
      });
      if (!entries.length) { return null; }
      if (entries.length === group.entries.length) { return group; }
      const changed = {entries: entries};
      if (group.id === "CamundaPlatform__UserAssignment"
          && entries.every(function (entry) { return entry.id === "dueDate"; })) {
        changed.label = translate("Due date");  // « Affectation » held only the due date
      }
      return Object.assign({}, group, changed);
    }).filter(Boolean);
  }

  /* Run after the Camunda Platform provider (priority 500) and before BpmnFr's translations
     (priority 1). */
  function EngineGroups(propertiesPanel, translate) {
    propertiesPanel.registerProvider(2, {getGroups: function (element) {
      return function (groups) { return offered(element, groups, translate); };
    }});
  }
  EngineGroups.$inject = ["propertiesPanel", "translate"];

  window.PanelEngine = {module: {__init__: ["panelEngineGroups"], panelEngineGroups: ["type", EngineGroups]},
                        entries: ENTRIES, listGroups: LIST_GROUPS};
})();
