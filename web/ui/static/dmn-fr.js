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
  };

  function translate(template, replacements) {
    const values = replacements || {};
    return (FR[template] || template).replace(/{([^}]+)}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : match;
    });
  }

  window.DmnFr = {module: {translate: ["value", translate]}, translate: translate, dictionary: FR};
})();
