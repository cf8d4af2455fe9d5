/* The last resort for French in a bpmn.io editor whose texts do not all go through a `translate`
   service (form-js 1.23, two literals of dmn-js 17): its own DOM, inside one container, is
   translated by the editor's rules when it is drawn and again whenever the library redraws it
   (a MutationObserver). Only whole texts and whole attribute values the rules know are replaced;
   the rules say where the designer's own words are, which are never touched (form-fr.js,
   dmn-fr.js). The libraries draw with Preact and Inferno, which compare their new texts with
   their previous ones, not with the DOM: a French text stays until the library changes the
   English one, which the observer then translates again. */
(function () {
  "use strict";

  const ATTRIBUTES = ["title", "aria-label", "placeholder"];

  /** rules: {text(text, element) -> French or null, attribute(value, element, name) -> French
      or null}; either may be missing. The observer is returned (for `disconnect`). */
  function observe(container, rules) {
    function translateText(node) {
      const raw = node.data, text = raw.trim();
      if (!text || !rules.text || !node.parentElement) { return; }
      const fr = rules.text(text, node.parentElement);
      if (fr !== null && fr !== undefined && fr !== text) { node.data = raw.replace(text, fr); }
    }

    function translateAttribute(element, name) {
      const value = element.getAttribute(name);
      if (!value || !rules.attribute) { return; }
      const fr = rules.attribute(value.trim(), element, name);
      if (fr !== null && fr !== undefined && fr !== value) { element.setAttribute(name, fr); }
    }

    function translateTree(root) {
      if (root.nodeType === Node.TEXT_NODE) { translateText(root); return; }
      if (root.nodeType !== Node.ELEMENT_NODE) { return; }
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      let node;
      while ((node = walker.nextNode())) { translateText(node); }
      [root].concat(Array.from(root.querySelectorAll("[title], [aria-label], [placeholder]")))
        .forEach(function (element) {
          ATTRIBUTES.forEach(function (name) {
            if (element.hasAttribute(name)) { translateAttribute(element, name); }
          });
        });
    }

    translateTree(container);
    const observer = new MutationObserver(function (records) {
      records.forEach(function (record) {
        if (record.type === "characterData") {
          translateText(record.target);
        } else if (record.type === "attributes") {
          translateAttribute(record.target, record.attributeName);
        } else {
          record.addedNodes.forEach(translateTree);
        }
      });
    });
    observer.observe(container, {subtree: true, childList: true, characterData: true,
                                 attributes: true, attributeFilter: ATTRIBUTES});
    return observer;
  }

  /* diagram-js's popup menu (bpmn-js's and dmn-js's replace menus) writes a few texts without
     `translate`: its results list's `aria-label`, its documentation link, and the count of a
     search's results, as four text nodes (`7`, ` `, `results`, ` found`) each compared by Preact
     with its previous value, so each is translated alone (« 7 résultats »). */
  const POPUP_ATTRIBUTES = [
    [".djs-popup-results", "aria-label", "Results", "Résultats"],
    [".djs-popup-footer-docs", "aria-label", "Open entry documentation", "Ouvrir la documentation de l'élément"],
  ];
  const POPUP_TEXTS = [
    [".djs-popup-search-count", "results", "résultats"],
    [".djs-popup-search-count", "result", "résultat"],
    [".djs-popup-search-count", "found", ""],
    [".djs-popup-footer-docs", "Open entry documentation", "Ouvrir la documentation"],
  ];
  const popupMenu = {
    attribute: function (value, element, name) {
      const hit = POPUP_ATTRIBUTES.find(function (rule) {
        return rule[1] === name && rule[2] === value && element.matches(rule[0]);
      });
      if (hit) { return hit[3]; }
      const open = /^Open entry documentation for (.+)$/.exec(value);
      return open && name === "aria-label" && element.matches(".djs-popup-footer-docs")
        ? "Ouvrir la documentation de « " + open[1] + " »" : null;
    },
    text: function (text, element) {
      const hit = POPUP_TEXTS.find(function (rule) { return rule[1] === text && element.closest(rule[0]); });
      return hit ? hit[2] : null;
    },
  };

  /* An editor's own literals ([selector, attribute, English, French]) first, then diagram-js's
     popup menus: what the BPMN and DMN editors observe. */
  function observeWithPopups(container, literals) {
    return observe(container, {
      attribute: function (value, element, name) {
        const hit = literals.find(function (literal) {
          return literal[1] === name && literal[2] === value && element.matches(literal[0]);
        });
        return hit ? hit[3] : popupMenu.attribute(value, element, name);
      },
      text: popupMenu.text,
    });
  }

  /* The `translate(template, replacements)` the bpmn.io libraries call, over a dictionary:
     its French, or the template as is, with each `{name}` replaced (dmn-js writes some as
     "{ name }"); a placeholder without a value stays as written. */
  function translator(dictionary) {
    return function translate(template, replacements) {
      const values = replacements || {};
      return (dictionary[template] || template).replace(/{([^}]+)}/g, function (match, raw) {
        const name = raw.trim();
        return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : match;
      });
    };
  }

  window.DomFr = {observe: observe, observeWithPopups: observeWithPopups, popupMenu: popupMenu,
                  translator: translator};
})();
