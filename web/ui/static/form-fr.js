/* The form-js editor as this platform needs it: its palette offers only the field types the
   server accepts (workflows/forms.FIELD_TYPES, handed to the page in its configuration as
   `form_field_types`, so the two cannot drift). */
(function () {
  "use strict";

  /** A form-js module keeping in the palette only `accepted` types. The palette lists the
      registry's `_formFields` when it is first drawn; `get` still answers every type, so a form
      holding another type still opens (the server then names it as a problem). */
  function acceptedFieldsModule(accepted) {
    const keep = new Set(accepted);
    function restrict(formFields) {
      const all = formFields._formFields;
      const offered = {};
      Object.keys(all).forEach(function (type) {
        // `default` is the form itself, never a palette entry
        if (keep.has(type) || type === "default") { offered[type] = all[type]; }
      });
      formFields._formFields = offered;
      formFields.get = function (type) { return all[type]; };
      formFields.register = function (type, field) { all[type] = field; if (keep.has(type)) { offered[type] = field; } };
    }
    restrict.$inject = ["formFields"];
    return {__init__: [restrict]};
  }

  window.FormFr = {acceptedFieldsModule: acceptedFieldsModule};
})();
