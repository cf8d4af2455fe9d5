/* The form-js editor as this platform needs it, and in French.

   Its palette offers only the field types the server accepts (workflows/forms.FIELD_TYPES,
   handed to the page in its configuration as `form_field_types`, so the two cannot drift), named
   with the server's French names (`form_field_labels`).

   form-js 1.23 has no `translate` service (bpmn-io/form-js#77: its palette, canvas and
   properties panel entries are literal English in its components). What it does offer is used
   first: the properties panel's providers (`propertiesPanel.registerProvider`), through which
   `panelModule` gives every group its French title and the `translate` function that
   @bpmn-io/properties-panel's groups, lists and list items pass their own texts through
   (« Toggle section », « Create », « List contains {numOfItems} items »…). The rest (palette
   group titles, search box, empty states, entries' labels, descriptions, tooltips and
   validation messages, the context pad) is reached by `observe`: a translation of the editor's
   own DOM, scoped to the editor's container (dom-fr.js: a MutationObserver does it again
   whenever form-js redraws), which replaces only texts and attributes equal to an entry of the
   dictionary below (the exact strings of the pinned form-js version). What the designer wrote (the
   form's fields as drawn on the canvas, the selected field's label in the panel's header, the
   titles of list items, the values of inputs and FEEL editors, the options of a default value
   that are the field's own) is never touched. */
(function () {
  "use strict";

  const FR = {
    // palette
    "Components": "Champs", "Search components": "Rechercher un champ",
    "Clear content": "Effacer la recherche", "No components found.": "Aucun champ trouvé.",
    "Input": "Saisie", "Selection": "Choix", "Presentation": "Présentation",
    "Containers": "Conteneurs", "Action": "Action",
    // canvas: empty states and the context pad
    "Build your form": "Construisez le formulaire",
    "Drag and drop components here to start designing.":
      "Glissez ici des champs depuis la palette pour commencer.",
    "Use the preview window to test your form.":
      "Chaque champ s'affiche ici tel que l'agent le verra ; ses réglages sont dans le panneau de droite.",
    "Drag and drop components here.": "Glissez des champs ici.",
    "Remove form field": "Supprimer le champ", "Repeatable": "Répétable",
    "dd/mm/yyyy": "jj/mm/aaaa", "Select": "Choisir",
    // properties panel: header, placeholders
    "Form": "Formulaire",
    "Select a form field to edit its properties.":
      "Sélectionnez un champ pour régler ses propriétés.",
    "Multiple form fields are selected. Select a single form field to edit its properties.":
      "Plusieurs champs sont sélectionnés : sélectionnez-en un seul pour régler ses propriétés.",
    "Open documentation": "Ouvrir la documentation",
    // properties panel: the library's own texts (through the groups' `translate`)
    "Toggle section": "Déplier ou replier la section",
    "Section contains edits": "La section contient des modifications",
    "Section contains an error": "La section contient une erreur",
    "Create new list item": "Ajouter un élément à la liste", "Create": "Ajouter",
    "List contains {numOfItems} item": "La liste contient {numOfItems} élément",
    "List contains {numOfItems} items": "La liste contient {numOfItems} éléments",
    "Toggle list item": "Déplier ou replier l'élément", "Delete item": "Supprimer l'élément",
    "<empty>": "<vide>", "<none>": "<aucune>",
    "Open pop-up editor": "Ouvrir l'éditeur dans une fenêtre", "Save and close": "Enregistrer et fermer",
    "Opened in editor": "Ouvert dans l'éditeur",
    "FEEL expression is mandatory": "Expression FEEL obligatoire",
    "Click to set a dynamic value with FEEL expression":
      "Cliquer pour calculer la valeur par une expression FEEL",
    "Click to remove dynamic value with FEEL expression":
      "Cliquer pour retirer l'expression FEEL de la valeur",
    "Learn more": "En savoir plus", "documentation": "documentation",
    // properties panel: groups
    "General": "Général", "Condition": "Condition", "Layout": "Mise en page",
    "Appearance": "Apparence", "Serialization": "Format de la valeur", "Constraints": "Contraintes",
    "Validation": "Validation", "Custom properties": "Propriétés personnalisées",
    "Options source": "Source des options", "Static options": "Options",
    "Dynamic options": "Options dynamiques", "Options expression": "Expression des options",
    // properties panel: entries
    "Field label": "Libellé du champ", "Field description": "Aide du champ",
    "Key": "Clé", "Binds to a form variable": "Nom de la variable qui reçoit la valeur",
    "Use a unique \"key\" to link the form element and the related input/output data. When dealing with nested data, break it down in the user task's input mapping before using it.":
      "Une « clé » unique relie le champ à la donnée qu'il lit et écrit : c'est le nom de la variable dans les données de la tâche.",
    "Default value": "Valeur par défaut", "Checked": "Cochée", "Not checked": "Non cochée",
    "Label": "Libellé", "Value": "Valeur", "ID": "Identifiant", "Text": "Texte",
    "Supports markdown and templating.": "Accepte le Markdown et les gabarits.",
    "Date label": "Libellé de la date", "Time label": "Libellé de l'heure",
    "Subtype": "Sous-type", "Date": "Date", "Time": "Heure", "Date & Time": "Date et heure",
    "Date time": "Date et heure", "Disallow past dates": "Refuser les dates passées",
    "Use 24h": "Format 24 h", "Time format": "Format de l'heure", "Time interval": "Intervalle",
    "Decimal digits": "Décimales", "Increment": "Pas",
    "Output as string": "Valeur envoyée comme texte",
    "Allows arbitrary precision values": "Garde une précision arbitraire (pas d'arrondi)",
    "Prefix": "Préfixe", "Suffix": "Suffixe", "Searchable": "Recherche dans la liste",
    "Columns": "Colonnes", "Auto": "Automatique", "Hide if": "Masquer si",
    "Condition under which the field is hidden": "Condition qui masque le champ",
    "Read only": "Lecture seule", "Disabled": "Désactivé",
    "Make this field read-only when it cannot be edited by the end-user, but its content is important for them to see. Its data will still be submitted.":
      "Le champ est affiché sans pouvoir être modifié ; sa valeur est tout de même envoyée.",
    "Disable this field when it should not be interactive for end-users. Its data will not be submitted. This setting takes precedence over read-only.":
      "Le champ est grisé ; sa valeur n'est pas envoyée. Ce réglage l'emporte sur « Lecture seule ».",
    "Required": "Obligatoire", "Minimum": "Minimum", "Maximum": "Maximum",
    "Minimum length": "Longueur minimale", "Maximum length": "Longueur maximale",
    "Validation pattern": "Motif de validation", "Custom": "Personnalisé",
    "Custom regular expression": "Expression régulière", "Custom error message": "Message d'erreur",
    "The error message to display when the input does not match the regular expression.":
      "Le message affiché quand la saisie ne correspond pas à l'expression régulière.",
    "Email": "Adresse électronique", "Phone": "Téléphone",
    "The built-in phone validation pattern is based on the E.164 standard with no spaces. Ex: +491234567890":
      "Le motif de téléphone suit la norme E.164, sans espace. Ex. : +33123456789",
    "Add properties directly to the form schema, useful to configure functionality in custom-built task applications and form renderers.":
      "Des propriétés ajoutées telles quelles au document du formulaire, pour un affichage personnalisé.",
    "Type": "Type", "Static": "Options fixes", "Input data": "Données d'entrée",
    "Expression": "Expression", "Input values key": "Clé des valeurs d'entrée",
    "Define which input property to populate the values from":
      "La donnée d'entrée qui fournit les valeurs",
    "Define an expression to populate the options from.":
      "Une expression qui fournit les options.",
    "Alternative text": "Texte alternatif",
    "Descriptive text for screen reader accessibility.": "Texte lu par les lecteurs d'écran.",
    "Content": "Contenu", "Height": "Hauteur", "Version tag": "Étiquette de version",
    // properties panel: validation messages
    "Must not be empty.": "Ne doit pas être vide.", "Must not be empty": "Ne doit pas être vide",
    "Must be unique.": "Doit être unique.", "Must not contain spaces.": "Ne doit pas contenir d'espace.",
    "Must be a variable or a dot separated path.":
      "Doit être un nom de variable ou un chemin séparé par des points.",
    "Must not be a prohibited path.": "Ce chemin est interdit.",
    "Must not contain numerical path segments.": "Ne doit pas contenir de segment numérique.",
    "Must not cause two binding paths to collide": "Deux champs ne peuvent pas écrire la même donnée",
    "Must be a valid QName.": "Doit être un nom XML qualifié (QName) valide.",
    "Must not contain prefix.": "Ne doit pas contenir de préfixe.",
    "Should be an integer.": "Doit être un nombre entier.",
    "Should be greater than zero.": "Doit être supérieur à zéro.",
    "Should be greater than or equal to zero.": "Doit être supérieur ou égal à zéro.",
    "Should be a valid number.": "Doit être un nombre valide.",
    "Should be a valid number": "Doit être un nombre valide",
    "Value must be a number.": "La valeur doit être un nombre.", "Must be number": "Doit être un nombre",
    "A number is required.": "Un nombre est requis.",
  };

  // computed texts, each where form-js writes it: the palette's entries, the context pad's
  // delete button, the number entries' validation messages
  const PATTERNS = [
    [".fjs-palette-field", /^Create an? (.+) element$/, "Ajouter un champ « $1 »"],
    [".fjs-context-pad-item", /^Remove (.+)$/, "Supprimer le champ « $1 »"],
    [".bio-properties-panel-entry", /^Should be at least (.+)\.$/, "Doit valoir au moins $1."],
    [".bio-properties-panel-entry", /^Should be at most (.+)\.$/, "Doit valoir au plus $1."],
    [".bio-properties-panel-entry", /^Should not contain more than (\d+) decimal digits\.?$/,
     "Pas plus de $1 décimales."],
    // the layout's columns (FormLayoutValidator)
    [".bio-properties-panel-entry", /^New value exceeds the maximum of (\d+) columns per row$/,
     "Cette largeur dépasse le maximum de $1 colonnes par ligne"],
    [".bio-properties-panel-entry", /^Maximum (\d+) fields per row are allowed$/,
     "Pas plus de $1 champs par ligne"],
    [".bio-properties-panel-entry", /^Minimum (\d+) columns are allowed$/, "Au moins $1 colonnes"],
    [".bio-properties-panel-entry", /^Maximum (\d+) columns are allowed$/, "Au plus $1 colonnes"],
  ];

  const translate = window.DomFr.translator(FR);

  /* Where the designer's own words are shown: the form's fields drawn on the canvas (but for
     the few texts form-js draws in them: a select's « Select », a number's arrows, a date's
     placeholder), the selected field's label in the panel's header, a list item's title (an
     option's label, a custom property's key), and the text of FEEL, templating and text area
     editors (their `aria-label` is form-js's). */
  const FIELDS = ".fjs-form-field";
  const LIBRARY_IN_FIELDS = ".fjs-select-placeholder, .fjs-number-arrow-container, .flatpickr-input";
  const DESIGNER = ".bio-properties-panel-header-label, .bio-properties-panel-collapsible-entry-header-title";
  const DESIGNER_TEXT = DESIGNER + ", [contenteditable], .cm-editor, textarea";
  // the same words drawn in a field on the canvas: a number field's arrows
  const IN_FIELDS = {"Increment": "Augmenter", "Decrement": "Diminuer"};

  /** The French of a whole text shown by form-js in `element`, or null when it is not one of
      its texts. */
  function french(text, element) {
    if (element.closest(FIELDS) && Object.prototype.hasOwnProperty.call(IN_FIELDS, text)) {
      return IN_FIELDS[text];
    }
    if (Object.prototype.hasOwnProperty.call(FR, text)) { return FR[text]; }
    // the FEEL pop-up's title: « <field type> / <entry label> »
    const popup = /^([a-z]+) \/ (.+)$/.exec(text);
    if (popup && element.closest(".bio-properties-panel-feel-popup")) {
      const name = typeNames[popup[1]];
      return (name ? name.charAt(0).toUpperCase() + name.slice(1) : popup[1]) + " / "
        + (Object.prototype.hasOwnProperty.call(FR, popup[2]) ? FR[popup[2]] : popup[2]);
    }
    for (const [where, pattern, replacement] of PATTERNS) {
      if (pattern.test(text) && element.closest(where)) { return text.replace(pattern, replacement); }
    }
    return null;
  }

  function designers(element, attribute) {
    if (!element || element.closest(".fjs-context-pad")) { return false; }
    if (element.closest(FIELDS)) { return !element.closest(LIBRARY_IN_FIELDS); }
    if (element.closest(attribute ? DESIGNER : DESIGNER_TEXT)) { return true; }
    /* a default value's options are the field's own ones, but for « <none> » (value "") and a
       checkbox's « Checked » / « Not checked » (a list whose first option is not « <none> ») */
    const option = element.closest("option");
    if (option && option.closest("[data-entry-id='defaultValue']")) {
      const first = option.parentElement && option.parentElement.options
        ? option.parentElement.options[0] : null;
      return !(option.value === "" || (first && first.value !== ""));
    }
    return false;
  }

  let typeNames = {};

  /** Translates the editor in `container` now and whenever form-js changes it (dom-fr.js);
      `labels` are the field types' French names (the FEEL pop-up's title names the type). The
      observer is returned (for `disconnect`). */
  function observe(container, labels) {
    typeNames = labels || {};
    return window.DomFr.observe(container, {
      text: function (text, element) {
        return designers(element, null) ? null : french(text, element);
      },
      attribute: function (value, element, name) {
        return designers(element, name) ? null : french(value, element);
      },
    });
  }

  /* The properties panel's supported hook: a provider run after form-js's own (lowest
     priority) gives each group its French title and the `translate` its components use. A
     list group's items (the designer's options, custom properties) are left as they are. */
  function FrenchGroups(propertiesPanel) {
    propertiesPanel.registerProvider({getGroups: function () {
      return function (groups) {
        return groups.map(function (group) {
          const label = typeof group.label === "string" ? translate(group.label) : group.label;
          return Object.assign({}, group, {label: label, translate: translate});
        });
      };
    }}, 1);
  }
  FrenchGroups.$inject = ["propertiesPanel"];

  /** A form-js module keeping in the palette only `accepted` types. The palette lists the
      registry's `_formFields` when it is first drawn; `get` still answers every type, so a form
      holding another type still opens (the server then names it as a problem). */
  function acceptedFieldsModule(accepted, labels) {
    const keep = new Set(accepted), names = labels || {};
    /* An accepted type as this page shows it: the same component, with a copy of its `config`
       named with the server's French name (the palette's entries, the panel's header) and
       whose new fields get that name as their label instead of form-js's English default
       (« Text field »). A form's existing fields are created as they are. */
    function frenchField(type, field) {
      const name = names[type];
      if (!name || typeof field !== "function") { return field; }
      const title = name.charAt(0).toUpperCase() + name.slice(1);
      const config = Object.assign({}, field.config, {name: title});
      if (typeof field.config.create === "function") {
        const defaults = field.config.create({}) || {};
        config.create = function (options, isNewField) {
          const made = field.config.create.apply(this, arguments);
          if (isNewField !== false && made && !(options && "label" in options)
              && typeof defaults.label === "string" && made.label === defaults.label) {
            made.label = title;
          }
          if (isNewField !== false && made && type === "text" && made.text === defaults.text) {
            made.text = "# Texte";
          }
          // a new list's first option (« Value ») for radio buttons and select lists
          if (isNewField !== false && made && Array.isArray(made.values)
              && JSON.stringify(made.values) === JSON.stringify(defaults.values)) {
            made.values = [{label: "Valeur", value: "valeur"}];
          }
          return made;
        };
      }
      if (config.label) { config.label = title; }
      const wrapped = function (props) { return field(props); };
      Object.assign(wrapped, field, {config: config});
      return wrapped;
    }
    function restrict(formFields) {
      const all = formFields._formFields, french = {};
      const offered = {};
      Object.keys(all).forEach(function (type) {
        if (keep.has(type)) { french[type] = frenchField(type, all[type]); }
        // `default` is the form itself, never a palette entry
        if (keep.has(type) || type === "default") { offered[type] = french[type] || all[type]; }
      });
      formFields._formFields = offered;
      formFields.get = function (type) { return french[type] || all[type]; };
      formFields.register = function (type, field) {
        all[type] = field;
        if (keep.has(type)) { french[type] = offered[type] = frenchField(type, field); }
      };
    }
    restrict.$inject = ["formFields"];
    return {__init__: [restrict]};
  }

  /* A date field's calendar. form-js draws it with flatpickr, bundled in its UMD (which sets
     `window.flatpickr`), and gives it no locale: flatpickr's default one is used. flatpickr's
     own French (node_modules/flatpickr/dist/l10n/fr.js, loaded after the UMD, registers
     `flatpickr.l10ns.fr`) is made that default with `flatpickr.localize`, flatpickr's global
     localization: month and weekday names, weeks starting on Monday. Its file leaves the ARIA
     labels of the month list and the year input in English: they are added here; and a day's
     `aria-label` reads « 16 mars 2026 » instead of flatpickr's « F j, Y » order. The date's
     format and its placeholder are form-js's, from the browser's locale (jj/mm/aaaa in French,
     the placeholder through the dictionary above). Returns whether the French could be set. */
  const CALENDAR_LABELS = {monthAriaLabel: "Mois", yearAriaLabel: "Année",
                           hourAriaLabel: "Heure", minuteAriaLabel: "Minute"};

  function frenchCalendar(flatpickr) {
    if (!flatpickr || !flatpickr.l10ns || !flatpickr.l10ns.fr) { return false; }
    flatpickr.localize(Object.assign({}, flatpickr.l10ns.fr, CALENDAR_LABELS));
    flatpickr.setDefaults({ariaDateFormat: "j F Y"});
    return true;
  }

  const calendarInFrench = frenchCalendar(window.flatpickr);

  window.FormFr = {acceptedFieldsModule: acceptedFieldsModule, calendarInFrench: calendarInFrench,
                   panelModule: {__init__: ["formFrGroups"], formFrGroups: ["type", FrenchGroups]},
                   observe: observe, translate: translate, dictionary: FR};
})();
