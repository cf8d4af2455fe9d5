/* French for the dmn-js decision-table editor, through the `translate` service override that
   dmn-js takes like bpmn-js (a module giving `translate`, in each view's `additionalModules`). */
(function () {
  "use strict";

  const FR = {
    "Hit policy": "Politique de résultat", "Hit policy:": "Politique de résultat :",
    // the hit policies' explanations (the tooltip of the hit policy cell)
    "No overlap is possible and all rules are disjoint. Only a single rule can be matched":
      "Les règles ne se recouvrent pas : une seule règle peut correspondre",
    "Rules may overlap. The first matching rule will be chosen":
      "Les règles peuvent se recouvrir : la première qui correspond est retenue",
    "Rules may overlap. The one with the highest priority will be chosen":
      "Les règles peuvent se recouvrir : celle de plus haute priorité est retenue",
    "Rules may overlap. Their output have to match":
      "Les règles peuvent se recouvrir : leurs sorties doivent être identiques",
    "Collects the values of all matching rules":
      "Recueille les valeurs de toutes les règles qui correspondent",
    "Collects the values of all matching rules and sums up to a single value":
      "Recueille les valeurs de toutes les règles qui correspondent et en fait la somme",
    "Collects the values of all matching rules and uses the lowest value":
      "Recueille les valeurs de toutes les règles qui correspondent et retient la plus petite",
    "Collects the values of all matching rules and uses the highest value":
      "Recueille les valeurs de toutes les règles qui correspondent et retient la plus grande",
    "Collects the values of all matching rules and counts the number of them":
      "Recueille les valeurs de toutes les règles qui correspondent et les compte",
    "Collects the values of all matching rules in rule order":
      "Recueille les valeurs de toutes les règles qui correspondent, dans l'ordre des règles",
    "Collects the values of all matching rules in decreasing output priority order":
      "Recueille les valeurs de toutes les règles qui correspondent, par priorité décroissante",
    "Decision name": "Nom de la décision", "Decision name: ": "Nom de la décision : ",
    "Add rule": "Ajouter une règle", "Add rule above": "Ajouter une règle au-dessus",
    "Add rule below": "Ajouter une règle au-dessous", "Remove rule": "Supprimer la règle",
    "Copy rule": "Copier la règle", "Cut rule": "Couper la règle", "Move rule": "Déplacer la règle",
    "Paste rule above": "Coller la règle au-dessus", "Paste rule below": "Coller la règle au-dessous",
    "Add input": "Ajouter une entrée", "Add output": "Ajouter une sortie",
    "Add input column left": "Ajouter une colonne d'entrée à gauche",
    "Add input column right": "Ajouter une colonne d'entrée à droite",
    "Add output column left": "Ajouter une colonne de sortie à gauche",
    "Add output column right": "Ajouter une colonne de sortie à droite",
    "Remove input column": "Supprimer la colonne d'entrée",
    "Remove output column": "Supprimer la colonne de sortie",
    "Copy input column": "Copier la colonne d'entrée", "Copy output column": "Copier la colonne de sortie",
    "Cut input column": "Couper la colonne d'entrée", "Cut output column": "Couper la colonne de sortie",
    "Paste input column left": "Coller la colonne d'entrée à gauche",
    "Paste input column right": "Coller la colonne d'entrée à droite",
    "Paste output column left": "Coller la colonne de sortie à gauche",
    "Paste output column right": "Coller la colonne de sortie à droite",
    "Add cell description": "Ajouter une description", "Remove cell description": "Supprimer la description",
    "Annotation": "Annotation", "Annotations": "Annotations",
    "Input": "Entrée", "Output": "Sortie", "When": "Quand", "Then": "Alors", "And": "Et",
    "Input expression": "Expression d'entrée", "Input expression: ": "Expression d'entrée : ",
    "Input label": "Libellé de l'entrée", "Input label: ": "Libellé de l'entrée : ",
    "Input type": "Type de l'entrée", "Input values": "Valeurs de l'entrée",
    "Output label": "Libellé de la sortie", "Output label: ": "Libellé de la sortie : ",
    "Output name": "Nom de la sortie (variable)", "Output name: ": "Nom de la sortie (variable) : ",
    "Output type": "Type de la sortie", "Output values": "Valeurs de la sortie (ordre de priorité)",
    "Expression": "Expression", "Expression language": "Langage d'expression",
    "Expression language:": "Langage d'expression :",
    "Change cell expression language": "Changer le langage de la cellule",
    "Editing not supported for set expression language":
      "Modification impossible pour ce langage d'expression",
    "Enter expression": "Saisir une expression", "Type": "Type", "Value": "Valeur",
    "Values": "Valeurs", "Predefined values": "Valeurs prédéfinies",
    "Add predefined values": "Ajouter des valeurs prédéfinies",
    "Clear predefined values": "Effacer les valeurs prédéfinies", "Add values": "Ajouter des valeurs",
    "No values": "Aucune valeur", "Custom values": "Valeurs libres", "Set value": "Fixer la valeur",
    "Edit": "Modifier", "Delete": "Supprimer", "Change type": "Changer le type", "Yes": "Oui",
    "No": "Non", "Boolean value": "Valeur booléenne", "String value": "Texte",
    "Strings must be in double quotes": "Un texte s'écrit entre guillemets droits doubles",
    "Comparison": "Comparaison", "Comparison operator": "Opérateur de comparaison",
    "Equals": "Égal", "Less": "Inférieur", "Less or equals": "Inférieur ou égal",
    "Greater": "Supérieur", "Greater or equals": "Supérieur ou égal", "Range": "Intervalle",
    "Match one": "Une des valeurs", "Match none": "Aucune des valeurs",
    "Edit string": "Modifier le texte", "Edit number": "Modifier le nombre",
    "Edit boolean": "Modifier le booléen", "Edit input": "Modifier l'entrée",
    "Edit output": "Modifier la sortie", "View DRD": "Voir le diagramme des décisions",
    "Unique": "Unique (une seule règle)", "First": "Première règle", "Priority": "Priorité",
    "Any": "Toute règle (sorties égales)", "Collect": "Collecter",
    "Collect (Sum)": "Collecter (somme)", "Collect (Min)": "Collecter (minimum)",
    "Collect (Max)": "Collecter (maximum)", "Collect (Count)": "Collecter (nombre)",
    "Rule order": "Ordre des règles (non pris en charge)",
    "Output order": "Ordre des sorties (non pris en charge)",
    "Search in diagram": "Rechercher dans le diagramme", "Resize": "Redimensionner",
    "Variable name": "Nom de variable", "Variable name:": "Nom de variable :",
    "Variable type": "Type de variable", "Variable type:": "Type de variable :",
    // dragging a column by its handle: dmn-js 17 writes these titles without `translate`
    // (DragAndDrop: `Move ${'Input' | 'Output'}`), dragTitlesModule below sends them here
    "Move Input": "Déplacer la colonne d'entrée", "Move Output": "Déplacer la colonne de sortie",
    "Expression language: {expressionLanguageLabel}": "Langage d'expression : {expressionLanguageLabel}",
    "Test type": "Type de test", "Exactly": "Exactement", "Between": "Entre",
    "Before": "Avant", "After": "Après", "Include": "Inclure", "Exclude": "Exclure",
    "Start value": "Valeur de début", "End value": "Valeur de fin",
    "Range start operator": "Opérateur du début de l'intervalle",
    "Range start value": "Valeur du début de l'intervalle",
    "Range end operator": "Opérateur de la fin de l'intervalle",
    "Range end value": "Valeur de la fin de l'intervalle",
    "\"value\"": "\"valeur\"", "\"value\", \"value\", ...": "\"valeur\", \"valeur\", ...",
    "e.g. { example } ": "ex. : {example}", "e.g. { sample }": "ex. : {sample}",
    // FEEL dates, times and durations: the server refuses these column types
    // (workflows/decisions.TYPE_REFS), a table imported with them still shows in French
    "Date": "Date", "Time": "Heure", "Date and time": "Date et heure",
    "Date value": "Valeur de date", "Time value": "Valeur d'heure",
    "Date and time value": "Valeur de date et heure", "Duration value": "Valeur de durée",
    "Edit date": "Modifier la date", "Edit time": "Modifier l'heure",
    "Edit date and time": "Modifier la date et l'heure", "Edit duration": "Modifier la durée",
    "Edit start date": "Modifier la date de début", "Edit end date": "Modifier la date de fin",
    "Edit start time": "Modifier l'heure de début", "Edit end time": "Modifier l'heure de fin",
    "Edit start date and time": "Modifier la date et l'heure de début",
    "Edit end date and time": "Modifier la date et l'heure de fin",
    "Set date": "Fixer la date", "Set time": "Fixer l'heure",
    "Set date and time": "Fixer la date et l'heure", "Set duration": "Fixer la durée",
    "Start date": "Date de début", "End date": "Date de fin", "Start time": "Heure de début",
    "End time": "Heure de fin", "Start date and time": "Date et heure de début",
    "End date and time": "Date et heure de fin", "Use now": "Maintenant",
    "Use today": "Aujourd'hui",
    // the literal expression and boxed expression views
    "Literal expression": "Expression littérale",
    "Literal expression editor": "Éditeur d'expression littérale", "name": "nom",
    "Element name": "Nom de l'élément", "Kind": "Genre", "Function kind: {kind}": "Genre de fonction : {kind}",
    "Edit function kind": "Modifier le genre de fonction",
    "Edit formal parameters": "Modifier les paramètres formels",
    "Add parameter": "Ajouter un paramètre", "Remove parameter": "Supprimer le paramètre",
    // the decision requirements diagram (DRD) view
    "Activate hand tool": "Outil main (déplacer la vue)",
    "Activate lasso tool": "Outil lasso (sélectionner une zone)",
    "Add text annotation": "Ajouter une annotation", "Connect to other element": "Relier à un autre élément",
    "Append decision": "Ajouter une décision", "Append input data": "Ajouter une donnée d'entrée",
    "Append business knowledge model": "Ajouter un modèle de connaissance métier",
    "Append knowledge source": "Ajouter une source de connaissance",
    "Create decision": "Créer une décision", "Create input data": "Créer une donnée d'entrée",
    "Create knowledge model": "Créer un modèle de connaissance",
    "Create knowledge source": "Créer une source de connaissance",
    "Definition ID": "Identifiant de la définition", "Definition name": "Nom de la définition",
    "Open decision table": "Ouvrir la table de décision",
    "Open literal expression": "Ouvrir l'expression littérale",
    "Empty": "Vide", "Decision table": "Table de décision", "Literal Expression": "Expression littérale",
  };

  const translate = window.DomFr.translator(FR);

  /* The column drag handle's title is set without `translate` in dmn-js 17 (« Move Input »):
     each `cell-inner` provider registered before this module is wrapped so that such a title
     goes through `translate`. Class components are left alone (only plain render functions
     are called here). */
  const MOVE_TITLE = /^Move (Input|Output)$/;
  function dragTitles(components) {
    function french(component) {
      if (typeof component !== "function" || (component.prototype && component.prototype.render)) {
        return component;
      }
      return function (props) {
        const vnode = component(props);
        if (vnode && vnode.props && MOVE_TITLE.test(vnode.props.title || "")) {
          vnode.props.title = translate(vnode.props.title);
        }
        return vnode;
      };
    }
    (components._listeners["cell-inner"] || []).forEach(function (listener) {
      const callback = listener.callback;
      listener.callback = function (context) { return french(callback(context)); };
    });
  }
  dragTitles.$inject = ["components"];

  /* Two literals of dmn-js 17 never reach `translate` and sit inside components this page cannot
     wrap (a class component and a provider's closure): the context menu's `aria-label` and the
     title of a list's remove buttons (the predefined values of a column, a text cell's values).
     `observe` translates them in the editor's DOM (dom-fr.js), on exactly those elements, and
     the DRD's replace menu's own literals (DomFr.popupMenu). */
  const LITERALS = [
    [".context-menu-flex", "aria-label", "Decision table context menu", "Menu contextuel de la table de décision"],
    [".dms-list-component .remove", "title", "Remove item", "Retirer la valeur"],
  ];

  function observe(container) {
    return window.DomFr.observeWithPopups(container, LITERALS);
  }

  // `module` for every view; `tableModule` for the decision table view only (the DRD view has
  // no `components` service); `observe` on the editor's container
  window.DmnFr = {module: {translate: ["value", translate]}, tableModule: {__init__: [dragTitles]},
                  observe: observe, literals: LITERALS, translate: translate, dictionary: FR};
})();
