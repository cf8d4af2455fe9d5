/* The form-js editor as this platform needs it: its palette offers only the field types the
   server accepts (workflows/forms.FIELD_TYPES, handed to the page in its configuration as
   `form_field_types`, so the two cannot drift). */
(function () {
  "use strict";

  /** A form-js module keeping in the palette only `accepted` types. The palette lists the
      registry's `_formFields` when it is first drawn; `get` still answers every type, so a form
      holding another type still opens (the server then names it as a problem). */
  function acceptedFieldsModule(accepted, labels) {
    const keep = new Set(accepted), names = labels || {};
    /* The palette shows an entry's `config.name`: a copy of the entry with the server's French
       name (workflows/forms.FIELD_TYPES), the registered field itself left as it is. form-js
       1.23 has no `translate` service (bpmn-io/form-js#77): its group titles and properties
       panel stay in English. */
    function french(type, field) {
      const name = names[type];
      if (!name) { return field; }
      const config = Object.assign({}, field.config, {name: name.charAt(0).toUpperCase() + name.slice(1)});
      return Object.assign(Object.create(Object.getPrototypeOf(field)), field, {config: config});
    }
    function restrict(formFields) {
      const all = formFields._formFields;
      const offered = {};
      Object.keys(all).forEach(function (type) {
        // `default` is the form itself, never a palette entry
        if (keep.has(type) || type === "default") { offered[type] = french(type, all[type]); }
      });
      formFields._formFields = offered;
      formFields.get = function (type) { return all[type]; };
      formFields.register = function (type, field) {
        all[type] = field;
        if (keep.has(type)) { offered[type] = french(type, field); }
      };
    }
    restrict.$inject = ["formFields"];
    return {__init__: [restrict]};
  }

  window.FormFr = {acceptedFieldsModule: acceptedFieldsModule};
})();
