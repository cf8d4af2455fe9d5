/* The process designers' pages (/ui/processus): they read and write through the REST API with
   the session cookie; every write carries the page's CSRF token in the X-CSRF-Token header.
   The page's configuration comes from the JSON block #designer-config (no inline script). */
(function () {
  "use strict";

  const API = "/api/v1";
  const PER_PAGE = 200;
  const POLL_MS = 1500;
  const configNode = document.getElementById("designer-config");
  const config = configNode ? JSON.parse(configNode.textContent) : {};

  // ---- labels -------------------------------------------------------------------------------

  const EVENT_LABELS = {
    brouillon_enregistre: "Brouillon enregistré", scenarios_testes: "Scénarios testés",
    version_deployee: "Version déployée", deploiement_force: "Déploiement forcé",
    migration_dossiers: "Migration de dossiers",
  };
  const RUN_LABELS = {en_attente: "En attente", en_cours: "En cours", reussi: "Réussi",
                      echoue: "Échoué", erreur: "Erreur"};
  const RUN_BADGES = {en_attente: "new", en_cours: "info", reussi: "success", echoue: "error",
                      erreur: "error"};
  const RUNNING = new Set(["en_attente", "en_cours"]);
  const runLabel = function (status) { return RUN_LABELS[status] || String(status); };
  const SCENARIO_LABELS = {passed: "Réussi", failed: "Échoué"};
  const TYPE_LABELS = {
    startEvent: "Événement de début", endEvent: "Événement de fin",
    intermediateCatchEvent: "Événement intermédiaire (attente)",
    intermediateThrowEvent: "Événement intermédiaire (émission)",
    boundaryEvent: "Événement de bordure", task: "Tâche", userTask: "Tâche utilisateur",
    scriptTask: "Tâche de script", serviceTask: "Tâche de service",
    businessRuleTask: "Tâche de règle métier", manualTask: "Tâche manuelle",
    sendTask: "Tâche d'envoi", receiveTask: "Tâche de réception",
    callActivity: "Activité d'appel", subProcess: "Sous-processus",
    exclusiveGateway: "Passerelle exclusive", parallelGateway: "Passerelle parallèle",
    inclusiveGateway: "Passerelle inclusive",
    eventBasedGateway: "Passerelle basée sur les événements",
    sequenceFlow: "Flux de séquence", messageFlow: "Flux de message", process: "Processus",
    participant: "Bassin (participant)", lane: "Couloir", textAnnotation: "Annotation",
    association: "Association", dataObjectReference: "Référence d'objet de données",
    dataStoreReference: "Référence de stockage de données", timerEventDefinition: "Minuterie",
    messageEventDefinition: "Message", documentation: "Documentation",
  };

  function typeLabel(type) {
    if (!type) { return "—"; }
    let name = String(type).replace(/^bpmn:/, "");
    name = name.charAt(0).toLowerCase() + name.slice(1);
    return TYPE_LABELS[name] || String(type);
  }

  function plural(n, one, many) { return n + " " + (n === 1 || n === 0 ? one : many); }

  function frDateTime(iso) {
    if (!iso) { return "—"; }
    return new Date(iso).toLocaleString("fr-FR", {timeZone: "Europe/Paris", dateStyle: "short",
                                                   timeStyle: "short"});
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, body) {
      const problem = body && typeof body === "object" ? body : {};
      super(problem.detail || defaultDetail(status));
      this.status = status;
      this.title = problem.title || "Erreur";
      this.detail = problem.detail || defaultDetail(status);
      this.errors = problem.errors || {};
    }
  }

  function defaultDetail(status) {
    if (status === 0) { return "Le serveur ne répond pas : vérifiez la connexion et réessayez."; }
    if (status === 401) { return "Votre session a expiré : reconnectez-vous."; }
    if (status === 403) { return "Votre rôle ne permet pas cette action."; }
    if (status === 404) { return "Ressource introuvable."; }
    return "Erreur " + status + " : l'action n'a pas abouti.";
  }

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  /** Call the API: options.json or options.xml as the body; resolves with JSON or text. */
  async function api(method, path, options) {
    const opts = options || {};
    const headers = {Accept: "application/json, application/problem+json, application/xml;q=0.9"};
    let body;
    if (opts.xml !== undefined) {
      headers["Content-Type"] = "application/xml";
      body = opts.xml;
    } else if (opts.zip !== undefined) {  // a bundle (docs/process-bundle.md), as exported
      headers["Content-Type"] = "application/zip";
      body = opts.zip;
    } else if (opts.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.json);
    } else if (opts.form !== undefined) {
      body = opts.form;  // FormData: the browser sets multipart/form-data and its boundary
    }
    if (method !== "GET" && method !== "HEAD") { headers["X-CSRF-Token"] = csrfToken(); }
    let resp;
    try {
      resp = await fetch(API + path, {method: method, headers: headers, body: body,
                                      credentials: "same-origin"});
    } catch (err) {
      throw new ApiError(0, null);
    }
    const type = resp.headers.get("Content-Type") || "";
    const data = type.indexOf("json") >= 0 ? await resp.json().catch(function () { return null; })
      : await resp.text();
    if (!resp.ok) { throw new ApiError(resp.status, data); }
    return data;
  }

  /** Every item of a paged list (the API pages by at most 200). */
  async function fetchAll(path) {
    const sep = path.indexOf("?") >= 0 ? "&" : "?";
    let page = 1, items = [];
    for (;;) {
      const data = await api("GET", path + sep + "page=" + page + "&per_page=" + PER_PAGE);
      items = items.concat(data.items);
      if (items.length >= data.total || data.items.length === 0) { return items; }
      page += 1;
    }
  }

  // ---- DOM ----------------------------------------------------------------------------------

  function h(tag, props) {
    const el = document.createElement(tag);
    Object.entries(props || {}).forEach(function (entry) {
      const k = entry[0], v = entry[1];
      if (v === null || v === undefined || v === false) { return; }
      if (k === "class") { el.className = v; } else if (k === "text") { el.textContent = v; }
      else if (k.slice(0, 2) === "on") { el.addEventListener(k.slice(2), v); }
      else { el.setAttribute(k, v === true ? "" : v); }
    });
    Array.prototype.slice.call(arguments, 2).flat().forEach(function (child) {
      if (child === null || child === undefined || child === false) { return; }
      el.append(child instanceof Node ? child : String(child));
    });
    return el;
  }

  function $(id) { return document.getElementById(id); }

  function say(text) {
    const status = $("designer-status");
    if (status) { status.textContent = text; }
  }

  function table(id, caption, headers, rows) {
    return h("div", {class: "fr-table"}, h("table", {id: id},
      h("caption", {text: caption}),
      h("thead", {}, h("tr", {}, headers.map(function (t) { return h("th", {scope: "col", text: t}); }))),
      h("tbody", {}, rows)));
  }

  function badge(text, kind) {
    return h("span", {class: "fr-badge fr-badge--sm fr-badge--no-icon" + (kind ? " fr-badge--" + kind : ""),
                      text: text});
  }

  function link(href, text, label) {
    return h("a", {href: href, text: text, "aria-label": label || null});
  }

  function value(v) {
    if (v === null || v === undefined || v === "") { return "—"; }
    if (typeof v === "object") { v = JSON.stringify(v, null, 1); }
    v = String(v);
    if (v.indexOf("\n") >= 0 || v.length > 80) {
      return h("pre", {class: "ui-code", tabindex: "0"}, v);
    }
    return h("code", {text: v});
  }

  // the process history's detail keys, for people (unknown keys are shown as they are)
  const DETAIL_LABELS = {
    based_on: "basé sur la version", valid: "valide", problems: "problèmes", test: "numéro du test",
    statut: "statut", statut_test: "statut du test", fonctionnalites: "fonctionnalités",
    passed: "réussis", failed: "échoués", total: "scénarios", motif: "motif",
    scenarios_en_echec: "scénarios en échec", scenarios_testes: "scénarios testés",
    origine: "origine", migrated: "dossiers migrés", refused: "dossiers refusés",
    from_version: "depuis la version", reasons: "raisons", case: "numéro du dossier",
    from: "de la version", to: "vers la version", process: "processus", reason: "motif",
    from_draft: "repris du brouillon",
  };

  const DETAIL_VALUES = {fichiers_livres: "fichiers livrés avec l'application",
                         televersement: "dépôt direct (API)", brouillon: "brouillon"};

  function detailText(detail) {
    if (detail === null || detail === undefined || detail === "") { return "—"; }
    if (typeof detail === "boolean") { return detail ? "oui" : "non"; }
    if (typeof detail !== "object") {
      return RUN_LABELS[detail] ? RUN_LABELS[detail].toLowerCase() : (DETAIL_VALUES[detail] || String(detail));
    }
    if (Array.isArray(detail)) { return detail.length ? detail.map(detailText).join(", ") : "aucun"; }
    return Object.entries(detail).filter(function (e) { return e[1] !== null && e[1] !== ""; })
      .map(function (e) { return (DETAIL_LABELS[e[0]] || e[0]) + " : " + detailText(e[1]); }).join(" ; ");
  }

  /** A DSFR error alert for an ApiError (its detail and each field's messages). */
  function errorBox(err, title) {
    const items = Object.entries(err.errors || {}).map(function (e) {
      // a field of the request itself (its body, the uploaded file) is not named to people
      return ["body", "file"].indexOf(e[0]) >= 0 ? h("li", {text: [].concat(e[1]).join(" ")})
        : h("li", {}, h("strong", {text: e[0] === "document" ? "Document" : e[0]}), " : ",
            [].concat(e[1]).join(" "));
    });
    return h("div", {class: "fr-alert fr-alert--error fr-alert--sm fr-mb-2w", role: "alert"},
      h("h3", {class: "fr-alert__title", text: title || err.title || "Erreur"}),
      h("p", {text: err.detail || err.message}),
      items.length ? h("ul", {}, items) : null,
      err.status === 401 ? h("p", {}, link("/ui/connexion", "Se reconnecter")) : null);
  }

  function successBox(title, children) {
    return h("div", {class: "fr-alert fr-alert--success fr-alert--sm fr-mb-2w", role: "status"},
      h("h3", {class: "fr-alert__title", text: title}), children);
  }

  function infoBox(title, children) {
    return h("div", {class: "fr-alert fr-alert--info fr-alert--sm fr-mb-2w", role: "status"},
      h("h3", {class: "fr-alert__title", text: title}), children);
  }

  function fail(container, err, title) {
    say("");
    if (container) { container.replaceChildren(errorBox(err, title)); }
  }

  // ---- URLs of the pages --------------------------------------------------------------------

  const ui = {
    version: function (key, n) { return config.base + "/" + encodeURIComponent(key) + "/versions/" + n; },
    diff: function (key, from, to) {
      return config.base + "/" + encodeURIComponent(key) + "/comparer?de=" + from + "&a=" + to;
    },
    migrations: function (key, n) { return ui.version(key, n) + "/migrations"; },
    editor: function (key, draft) {
      return config.base + "/" + encodeURIComponent(key) + "/editeur" + (draft ? "?brouillon=" + draft : "");
    },
    drafts: function (key) { return config.base + "/" + encodeURIComponent(key) + "/brouillons"; },
    history: function (key) { return config.base + "/" + encodeURIComponent(key) + "/historique"; },
    draft: function (id) { return config.base + "/brouillons/" + id; },
    case: function (id) { return config.cases + "/" + id; },
  };
  const apiKey = function (key) { return "/processes/" + encodeURIComponent(key); };

  // ---- the readable diff (version against version, draft against its base) ------------------

  function elementLabel(e) {
    return e.name ? e.name + " (" + e.id + ")" : e.id;
  }

  function renderDiff(container, diff) {
    container.replaceChildren();
    const added = diff.added || [], removed = diff.removed || [], changed = diff.changed || [];
    if (!added.length && !removed.length && !changed.length) {
      container.append(h("p", {id: "diff-empty", text: "Aucune différence (les changements de mise en page seuls sont ignorés)."}));
      return;
    }
    container.append(h("p", {id: "diff-summary", text: [
      plural(added.length, "élément ajouté", "éléments ajoutés"),
      plural(removed.length, "élément supprimé", "éléments supprimés"),
      plural(changed.length, "élément modifié", "éléments modifiés")].join(", ") + "."}));
    const row = function (e) {
      return h("tr", {"data-element-id": e.id}, h("td", {}, h("code", {text: e.id})),
               h("td", {text: typeLabel(e.type)}), h("td", {text: e.name || "—"}));
    };
    const draft = diff.to === "brouillon";
    if (added.length) {
      container.append(h("h3", {class: "fr-h5", text: "Éléments ajoutés (" + added.length + ")"}),
        table("diff-added", "Éléments présents dans " + (draft ? "le brouillon" : "la version " + diff.to)
              + " et pas dans la version " + diff.from, ["Identifiant", "Type", "Nom"], added.map(row)));
    }
    if (removed.length) {
      container.append(h("h3", {class: "fr-h5", text: "Éléments supprimés (" + removed.length + ")"}),
        table("diff-removed", "Éléments de la version " + diff.from + " absents "
              + (draft ? "du brouillon" : "de la version " + diff.to), ["Identifiant", "Type", "Nom"],
              removed.map(row)));
    }
    if (changed.length) {
      const rows = [];
      changed.forEach(function (e) {
        (e.changes || []).forEach(function (c) {
          rows.push(h("tr", {"data-element-id": e.id},
            h("th", {scope: "row"}, elementLabel(e), h("br"), h("span", {class: "fr-hint-text", text: typeLabel(e.type)})),
            h("td", {class: "ui-what", text: c.what}), h("td", {}, value(c.before)), h("td", {}, value(c.after))));
        });
      });
      container.append(h("h3", {class: "fr-h5", text: "Éléments modifiés (" + changed.length + ")"}),
        table("diff-changed", "Changements élément par élément, de la version " + diff.from
              + (draft ? " au brouillon" : " à la version " + diff.to),
              ["Élément", "Changement", "Avant", "Après"], rows));
    }
  }

  // ---- pages --------------------------------------------------------------------------------

  const pages = {};

  pages.versions = async function () {
    const root = $("versions");
    let items;
    try { items = await fetchAll("/processes"); } catch (err) { return fail(root, err, "Les versions n'ont pas pu être lues"); }
    const byKey = new Map();
    items.forEach(function (v) {
      if (!byKey.has(v.key)) { byKey.set(v.key, []); }
      byKey.get(v.key).push(v);
    });
    byKey.forEach(function (versions, key) {
      versions.sort(function (a, b) { return b.version - a.version; });
      const current = versions.find(function (v) { return v.active; });
      const hid = "h-" + key;
      root.append(h("section", {class: "fr-mb-5w", "aria-labelledby": hid, id: "processus-" + key},
        h("h2", {id: hid, class: "fr-h3"}, "Processus ", h("code", {text: key})),
        h("ul", {class: "fr-btns-group fr-btns-group--inline-md fr-btns-group--sm"},
          h("li", {}, h("a", {class: "fr-btn fr-btn--sm", href: ui.editor(key), text: "Modifier dans l'éditeur"})),
          h("li", {}, h("a", {class: "fr-btn fr-btn--sm fr-btn--secondary", href: ui.drafts(key), text: "Brouillons"})),
          h("li", {}, h("a", {class: "fr-btn fr-btn--sm fr-btn--secondary", href: ui.history(key), text: "Historique"})),
          versions.length > 1 ? h("li", {}, h("a", {class: "fr-btn fr-btn--sm fr-btn--tertiary",
            href: ui.diff(key, versions[1].version, versions[0].version), text: "Comparer deux versions"})) : null),
        table("versions-" + key, "Versions du processus " + key + ", la plus récente d'abord",
          ["Version", "Déployée le", "Par", "Dossiers en cours", "Origine", "Forçage", "Actions"],
          versions.map(function (v) {
            const n = v.version;
            return h("tr", {"data-version": n},
              h("th", {scope: "row"}, "Version " + n, " ",
                v === current ? badge("en service", "success") : (v.active ? null : badge("inactive"))),
              h("td", {text: frDateTime(v.deployed_at)}),
              h("td", {text: v.deployed_by || "—"}),
              h("td", {class: "ui-running", text: String(v.running_cases)}),
              h("td", {}, v.draft ? link(ui.draft(v.draft), "brouillon n° " + v.draft) : "sans brouillon"),
              h("td", {}, v.override ? [badge("forcé", "warning"), " par " + v.override.by + " : " + v.override.reason] : "—"),
              h("td", {class: "ui-actions"},
                link(ui.version(key, n), "XML", "XML de la version " + n), " · ",
                n > 1 ? [link(ui.diff(key, n - 1, n), "Différences", "Différences entre les versions " + (n - 1) + " et " + n), " · "] : null,
                link(ui.migrations(key, n), "Migrer des dossiers", "Migrer des dossiers vers la version " + n)));
          }))));
    });
    say(byKey.size ? plural(items.length, "version", "versions") + " de " + plural(byKey.size, "processus", "processus") + "."
      : "Aucune version déployée.");
  };

  pages.version = async function () {
    const pre = $("xml");
    try {
      const xml = await api("GET", apiKey(config.key) + "/versions/" + config.number);
      pre.textContent = xml;
      say(plural(xml.split("\n").length, "ligne", "lignes") + " de XML.");
    } catch (err) { fail(pre.parentNode.insertBefore(h("div"), pre), err, "Le XML n'a pas pu être lu"); }
  };

  pages.diff = async function () {
    const root = $("diff");
    try {
      const versions = (await fetchAll("/processes")).filter(function (v) { return v.key === config.key; })
        .map(function (v) { return v.version; }).sort(function (a, b) { return a - b; });
      [["de", config.since], ["a", config.to]].forEach(function (pair) {
        const select = $(pair[0]);
        select.replaceChildren.apply(select, versions.map(function (n) {
          return h("option", {value: n, selected: n === pair[1], text: "Version " + n});
        }));
      });
    } catch (err) { /* the selects keep the compared versions */ }
    try {
      const diff = await api("GET", apiKey(config.key) + "/versions/" + config.to + "/diff?against=" + config.since);
      renderDiff(root, diff);
      say("");
    } catch (err) { fail(root, err, "Les différences n'ont pas pu être calculées"); }
  };

  function runCell(run) {
    if (!run) { return "aucun"; }
    const s = run.summary || {};
    return [badge(RUN_LABELS[run.status] || run.status, RUN_BADGES[run.status]),
            s.total ? " " + s.passed + " / " + s.total : ""];
  }

  /** The drafts page's import form: the file's bytes are posted as a draft, as the editor saves. */
  function wireImport() {
    const form = $("import-form"), input = $("import-file"), group = $("import-group");
    const messages = $("import-file-messages"), result = $("import-result");
    function fieldError(text) {
      group.classList.toggle("fr-upload-group--error", Boolean(text));
      messages.replaceChildren(text ? h("p", {class: "fr-message fr-message--error", text: text}) : "");
      if (text) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    }
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      result.replaceChildren();
      const file = input.files && input.files[0];
      if (!file) { fieldError("Choisissez un fichier BPMN."); input.focus(); return; }
      if (file.size > config.max_upload) {  // MAX_CONTENT_LENGTH: the server would answer 413
        fieldError("Le fichier dépasse " + config.max_upload_mo + " Mo : il n'a pas été envoyé.");
        input.focus(); return;
      }
      fieldError("");
      $("import-submit").disabled = true;
      say("Import du fichier « " + file.name + " »…");
      try {
        const bytes = await file.arrayBuffer(), head = new Uint8Array(bytes.slice(0, 4));
        // a zip (its name, or its signature "PK\x03\x04"): the bundle with its forms, tables
        // and letters, as « Télécharger le paquet (.zip) » gives it
        const zipped = /\.zip$/i.test(file.name)
          || (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04);
        const draft = await api("POST", apiKey(config.key) + "/drafts", zipped ? {zip: bytes} : {xml: bytes});
        window.location.href = ui.draft(draft.id);
      } catch (err) {
        say("");
        // the file's own problems under the field (the alert below lists them with their place)
        const reasons = [].concat.apply([], Object.values(err.errors || {}));
        fieldError(reasons.length ? reasons.slice(0, 3).join(" ; ") + (reasons.length > 3 ? " ; …" : "")
          : (err.detail || err.message));
        result.replaceChildren(errorBox(err, "Le fichier n'a pas été importé"));
        $("import-submit").disabled = false;
        input.focus();
      }
    });
  }

  pages.drafts = async function () {
    wireImport();
    const root = $("drafts");
    let items;
    try { items = await fetchAll(apiKey(config.key) + "/drafts"); } catch (err) { return fail(root, err, "Les brouillons n'ont pas pu être lus"); }
    if (!items.length) {
      say("Aucun brouillon : ouvrez l'éditeur ou importez un fichier pour en créer un.");
      return;
    }
    root.append(table("drafts-table", "Brouillons du processus " + config.key + ", le plus récent d'abord",
      ["Brouillon", "Enregistré le", "Par", "Basé sur", "Validation", "Dernier test", "Déployé", "Actions"],
      items.map(function (d) {
        return h("tr", {"data-draft": d.id},
          h("th", {scope: "row"}, link(ui.draft(d.id), "n° " + d.id, "Brouillon n° " + d.id)),
          h("td", {text: frDateTime(d.created_at)}), h("td", {text: d.created_by}),
          h("td", {text: "version " + d.based_on}),
          h("td", {}, d.valid ? badge("valide", "success")
            : badge(plural((d.problems || []).length, "problème", "problèmes"), "error")),
          h("td", {}, runCell(d.last_test_run)),
          h("td", {}, d.deployed_as ? link(ui.version(config.key, d.deployed_as), "version " + d.deployed_as)
            : d.identical_to ? "non (identique à la version " + d.identical_to + ")"
              : d.outdated_by ? "non (la version " + d.outdated_by + " a été déployée depuis)" : "non"),
          h("td", {class: "ui-actions"},
            link(ui.editor(config.key, d.id), "Ouvrir dans l'éditeur", "Ouvrir dans l'éditeur le brouillon n° " + d.id), " · ",
            link(ui.draft(d.id), "Tester et déployer", "Tester et déployer le brouillon n° " + d.id)));
      })));
    say(plural(items.length, "brouillon", "brouillons") + ".");
  };

  pages.history = async function () {
    const root = $("history");
    let items;
    try { items = await fetchAll(apiKey(config.key) + "/events"); } catch (err) { return fail(root, err, "L'historique n'a pas pu être lu"); }
    if (!items.length) { say("Aucun événement."); return; }
    root.append(table("history-table", "Historique du processus " + config.key + ", du plus ancien au plus récent",
      ["Date", "Par", "Événement", "Version", "Brouillon", "Détail"],
      items.map(function (e) {
        return h("tr", {"data-type": e.type},
          h("td", {text: frDateTime(e.at)}), h("td", {text: e.actor || "—"}),
          h("td", {}, e.type === "deploiement_force" ? badge(EVENT_LABELS[e.type], "warning") : (EVENT_LABELS[e.type] || e.type)),
          h("td", {}, e.version ? link(ui.version(config.key, e.version), String(e.version), "Version " + e.version) : "—"),
          h("td", {}, e.draft ? link(ui.draft(e.draft), "n° " + e.draft, "Brouillon n° " + e.draft) : "—"),
          h("td", {text: detailText(e.detail)}));
      })));
    say(plural(items.length, "événement", "événements") + ".");
  };

  // ---- a draft: problems, diff, test runs, deployment -----------------------------------------

  function problemItems(problems) {
    return problems.map(function (p) {
      return h("li", {"data-element-id": p.element_id || ""},
        p.element_id ? h("code", {text: p.element_id}) : h("strong", {text: "Document"}),
        p.line ? " (ligne " + p.line + ")" : "", " : " + p.message);
    });
  }

  function renderRun(run) {
    const root = $("test-run");
    const s = run.summary || {passed: 0, failed: 0, total: 0};
    const label = runLabel(run.status);
    const when = RUNNING.has(run.status) ? "lancé le " + frDateTime(run.started_at || run.requested_at)
      : "fini le " + frDateTime(run.finished_at);
    root.replaceChildren(
      h("h3", {class: "fr-h5", id: "h-run"}, "Test n° " + run.id + " ", badge(label, RUN_BADGES[run.status])),
      h("p", {id: "run-summary"}, RUNNING.has(run.status)
        ? "Scénarios en cours d'exécution… (demandé par " + (run.requested_by || "—") + ", " + when + ")."
        : plural(s.passed, "scénario réussi", "scénarios réussis") + ", " + plural(s.failed, "échoué", "échoués")
          + " sur " + s.total + " — demandé par " + (run.requested_by || "—") + ", " + when + "."),
      run.features && run.features.length ? h("p", {class: "fr-hint-text", text: "Fonctionnalités : " + run.features.join(", ") + "."}) : null);
    const scenarios = run.scenarios || [];
    if (scenarios.length) {
      root.append(table("scenarios", "Résultat de chaque scénario du test n° " + run.id,
        ["Fonctionnalité", "Scénario", "Résultat", "Message"],
        scenarios.map(function (sc) {
          return h("tr", {class: "ui-scenario--" + sc.status, "data-status": sc.status},
            h("td", {text: sc.feature}), h("th", {scope: "row", text: sc.name}),
            h("td", {}, badge(SCENARIO_LABELS[sc.status] || sc.status, sc.status === "passed" ? "success" : "error")),
            h("td", {}, sc.message ? value(sc.message) : "—"));
        })));
    }
  }

  pages.draft = async function () {
    const id = config.draft;
    const body = $("draft-body");
    let draft, pollTimer = null;

    async function reload() {
      draft = await api("GET", "/drafts/" + id);
      renderDeploy();
      return draft;
    }

    function renderSummary() {
      $("draft-key").textContent = " — processus " + draft.key;
      $("draft-summary").replaceChildren(
        h("dt", {text: "Processus"}), h("dd", {}, h("code", {text: draft.key})),
        h("dt", {text: "Basé sur"}), h("dd", {}, link(ui.version(draft.key, draft.based_on), "version " + draft.based_on)),
        h("dt", {text: "Enregistré le"}), h("dd", {text: frDateTime(draft.created_at)}),
        h("dt", {text: "Par"}), h("dd", {text: draft.created_by}),
        h("dt", {text: "Déployé"}), h("dd", {}, draft.deployed_as ? link(ui.version(draft.key, draft.deployed_as), "version " + draft.deployed_as) : "non"));
      $("draft-edit").setAttribute("href", ui.editor(draft.key, draft.id));
      const problems = draft.problems || [], warnings = draft.warnings || [];
      $("draft-problems").replaceChildren(problems.length
        ? h("div", {class: "fr-alert fr-alert--error fr-alert--sm"},
            h("h3", {class: "fr-alert__title", text: plural(problems.length, "problème de validation", "problèmes de validation")}),
            h("ul", {id: "draft-problems-list"}, problemItems(problems)),
            h("p", {}, link(ui.editor(draft.key, draft.id), "Voir les éléments signalés dans l'éditeur")))
        : h("p", {id: "draft-valid"}, badge("valide", "success"), " Aucun problème de validation."),
        // what the engine ignores without consequence (workflows/extensions.py): never blocking
        ...(warnings.length ? [h("div", {class: "fr-alert fr-alert--warning fr-alert--sm", id: "draft-warnings"},
          h("h3", {class: "fr-alert__title", text: plural(warnings.length, "avertissement", "avertissements")
            + " : ignoré par le moteur, sans effet sur le déroulement des dossiers"}),
          h("ul", {id: "draft-warnings-list"}, problemItems(warnings)))] : []));
    }

    function renderDeploy() {
      const state = $("deploy-state"), button = $("deploy"), force = $("force-form");
      const run = draft.last_test_run;
      let canForce = false;
      button.disabled = true;
      // its deployment could only be refused
      button.hidden = Boolean(draft.identical_to || draft.outdated_by);
      if (draft.deployed_as) {
        state.replaceChildren("Ce brouillon est déployé : ", link(ui.version(draft.key, draft.deployed_as), "version " + draft.deployed_as), ".");
      } else if (draft.identical_to) {
        state.replaceChildren("Ce brouillon est identique à la ", link(ui.version(draft.key, draft.identical_to), "version " + draft.identical_to),
          " déjà déployée : il n'y a rien à déployer. Modifiez-le dans l'éditeur et enregistrez un nouveau brouillon."
          + " Ses scénarios peuvent tout de même être lancés : ils vérifient la version " + draft.identical_to + " en service.");
      } else if (draft.outdated_by) {
        state.replaceChildren("La ", link(ui.version(draft.key, draft.outdated_by), "version " + draft.outdated_by),
          " a été déployée depuis " + (draft.based_on ? "la version " + draft.based_on : "la création de ce brouillon")
          + " dont il part : il ne peut plus être déployé. Ouvrez la version " + draft.outdated_by
          + " dans l'éditeur, reportez-y vos changements et enregistrez un nouveau brouillon.");
      } else if (!draft.valid) {
        state.textContent = "Le brouillon a des problèmes de validation : corrigez-les dans l'éditeur et enregistrez un nouveau brouillon.";
      } else if (run && run.status === "reussi") {
        state.textContent = "Le dernier test a réussi : le brouillon peut être déployé.";
        button.disabled = false;
      } else if (run && RUNNING.has(run.status)) {
        state.textContent = "Test en cours : le déploiement sera possible s'il réussit.";
      } else {
        state.textContent = (run ? "Le dernier test n'a pas réussi (" + runLabel(run.status).toLowerCase() + ") : corrigez le brouillon ou relancez les scénarios."
          : "Lancez les scénarios : le déploiement est possible quand le dernier test a réussi.")
          + (config.role === "admin" ? " Un administrateur peut forcer le déploiement en donnant un motif."
            : " Seul un administrateur peut forcer le déploiement.");
        canForce = true;
      }
      if (force) { force.hidden = !canForce; }
      $("run-tests").disabled = Boolean(draft.deployed_as || !draft.valid || (run && RUNNING.has(run.status)));
    }

    function poll(runId) {
      clearTimeout(pollTimer);
      pollTimer = setTimeout(async function () {
        let run;
        try { run = await api("GET", "/test-runs/" + runId); } catch (err) {
          if (err.status === 0) { poll(runId); return; }  // the network hiccuped: ask again
          return fail($("test-run"), err, "L'état du test n'a pas pu être lu");
        }
        renderRun(run);
        if (RUNNING.has(run.status)) { poll(runId); return; }
        const s = run.summary || {};
        say("Test n° " + run.id + " terminé : " + runLabel(run.status).toLowerCase()
            + (s.total ? " (" + plural(s.passed, "scénario réussi", "scénarios réussis") + " sur " + s.total + ")." : "."));
        try { await reload(); } catch (err) { fail($("deploy-result"), err); }
      }, POLL_MS);
    }

    try {
      await reload();
    } catch (err) { return fail(body.parentNode.insertBefore(h("div"), body), err, "Le brouillon n'a pas pu être lu"); }
    renderSummary();
    body.hidden = false;
    say("");
    if (draft.last_test_run) {
      renderRun(draft.last_test_run);
      if (RUNNING.has(draft.last_test_run.status)) { poll(draft.last_test_run.id); }
    }
    api("GET", "/drafts/" + id + "/diff").then(function (diff) { renderDiff($("diff"), diff); })
      .catch(function (err) { fail($("diff"), err, "Les différences n'ont pas pu être calculées"); });

    // the features to run
    const boxes = Array.prototype.slice.call(document.querySelectorAll("#test-form input[name=features]"));
    $("features-all").addEventListener("click", function () { boxes.forEach(function (b) { b.checked = true; }); });
    $("features-none").addEventListener("click", function () { boxes.forEach(function (b) { b.checked = false; }); });
    $("test-form").addEventListener("submit", async function (event) {
      event.preventDefault();
      const fieldset = $("features-fieldset"), messages = $("features-messages");
      const features = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
      fieldset.classList.remove("fr-fieldset--error");
      messages.replaceChildren();
      if (!features.length) {
        fieldset.classList.add("fr-fieldset--error");
        messages.append(h("p", {class: "fr-message fr-message--error", id: "features-error", text: "Cochez au moins une fonctionnalité."}));
        return;
      }
      $("run-tests").disabled = true;
      try {
        const run = await api("POST", "/drafts/" + id + "/test-runs", {json: {features: features}});
        renderRun(run);
        say("Test n° " + run.id + " lancé : " + plural(features.length, "fonctionnalité", "fonctionnalités") + ".");
        draft.last_test_run = run;
        renderDeploy();
        if (RUNNING.has(run.status)) { poll(run.id); } else { await reload(); }
      } catch (err) {
        $("run-tests").disabled = false;
        fail($("test-run"), err, "Les scénarios n'ont pas pu être lancés");
      }
    });

    async function deploy(override, reason) {
      const result = $("deploy-result");
      result.replaceChildren();
      $("deploy").disabled = true;
      try {
        const version = await api("POST", "/drafts/" + id + "/deploy", {json: {override: override, reason: reason}});
        result.replaceChildren(successBox("Version " + version.version + " déployée", [
          h("p", {text: "Les nouveaux dossiers du processus " + version.key + " suivent désormais la version " + version.version
                        + " ; les dossiers en cours restent sur leur version."}),
          h("p", {}, link(config.base, "Voir les versions"), " · ",
            link(ui.migrations(version.key, version.version), "Migrer des dossiers vers la version " + version.version))]));
        say("Brouillon déployé : version " + version.version + ".");
        await reload();
        renderSummary();
        return true;
      } catch (err) {
        result.replaceChildren(errorBox(err, "Le déploiement a été refusé"));
        // a refusal often means the draft's situation changed (a version deployed meanwhile):
        // the deploy section is drawn again from the draft as it is now
        try { await reload(); } catch (ignored) { renderDeploy(); }
        return err;
      }
    }

    $("deploy").addEventListener("click", function () { deploy(false, ""); });
    const force = $("force-form");
    if (force) {
      force.addEventListener("submit", async function (event) {
        event.preventDefault();
        const reason = $("reason").value.trim();
        const outcome = reason ? await deploy(true, reason)
          : {errors: {reason: ["Indiquez le motif du forçage : il figure dans l'historique du processus."]}};
        showReasonError(outcome !== true && outcome.errors ? outcome.errors.reason : null);
      });
    }
  };

  function showReasonError(messages) {
    const group = $("reason-group"), area = $("reason"), error = $("reason-error");
    const on = Boolean(messages && messages.length);
    group.classList.toggle("fr-input-group--error", on);
    area.classList.toggle("fr-input--error", on);
    error.hidden = !on;
    error.textContent = on ? [].concat(messages).join(" ") : "";
    if (on) {
      area.setAttribute("aria-invalid", "true");
      area.setAttribute("aria-describedby", "reason-error");
      area.focus();
    } else {
      area.removeAttribute("aria-invalid");
      area.removeAttribute("aria-describedby");
    }
  }

  // ---- migrating running cases to a version -------------------------------------------------

  pages.migrations = async function () {
    const key = config.key, n = config.number;
    const root = $("migrations"), one = $("one-result"), bulk = $("bulk-result");
    const select = $("from_version");
    let items = [];

    function reference(caseId) {
      const item = items.find(function (i) { return i.case === caseId; });
      return item ? item.reference : "n° " + caseId;
    }

    function caseCell(item) {
      return config.role === "admin" ? link(ui.case(item.case), item.reference, "Dossier " + item.reference)
        : item.reference;
    }

    async function load() {
      try { items = await fetchAll(apiKey(key) + "/versions/" + n + "/migrations"); } catch (err) {
        return fail(root, err, "Les dossiers n'ont pas pu être lus");
      }
      const chosen = select.value;
      const froms = Array.from(new Set(items.map(function (i) { return i.from_version; }))).sort(function (a, b) { return a - b; });
      select.replaceChildren(h("option", {value: "", text: "Toutes les autres versions"}),
        froms.map(function (v) { return h("option", {value: v, selected: String(v) === chosen, text: "Version " + v}); }));
      const safe = items.filter(function (i) { return i.safe; }).length;
      $("bulk-migrate").disabled = items.length === 0;  // the refused are listed with why
      root.replaceChildren();
      if (!items.length) {
        say("Aucun dossier en cours sur une autre version que la version " + n + ".");
        return;
      }
      root.append(table("migration-table", "Dossiers en cours du processus " + key + " sur une autre version que la " + n,
        ["Dossier", "Version actuelle", "Migration sans risque", "Raisons", "Action"],
        items.map(function (i) {
          return h("tr", {"data-case": i.case, "data-safe": String(i.safe)},
            h("th", {scope: "row"}, caseCell(i)), h("td", {text: "version " + i.from_version}),
            h("td", {}, i.safe ? badge("oui", "success") : badge("non", "error")),
            h("td", {}, (i.reasons || []).length ? h("ul", {class: "ui-reasons"}, i.reasons.map(function (r) { return h("li", {text: r}); })) : "—"),
            h("td", {}, i.safe ? h("button", {type: "button", class: "fr-btn fr-btn--sm fr-btn--secondary",
              "aria-label": "Migrer le dossier " + i.reference + " vers la version " + n,
              onclick: function (event) { migrateOne(i, event.currentTarget); }, text: "Migrer"}) : "—"));
        })));
      say(plural(items.length, "dossier en cours", "dossiers en cours") + " sur d'autres versions, dont "
          + (safe ? plural(safe, "migrable", "migrables") : "aucun migrable") + " sans risque.");
    }

    async function migrateOne(item, button) {
      button.disabled = true;
      try {
        await api("POST", "/cases/" + item.case + "/migration", {json: {version: n}});
        one.replaceChildren(successBox("Dossier " + item.reference + " migré",
          h("p", {text: "Le dossier " + item.reference + " est passé de la version " + item.from_version + " à la version " + n + "."})));
      } catch (err) {
        one.replaceChildren(errorBox(err, "Le dossier " + item.reference + " n'a pas migré"));
      }
      await load();
    }

    // a bulk move asks first (a QA finding: one click moved every safe case at once)
    $("bulk-form").addEventListener("submit", function (event) {
      event.preventDefault();
      const from = select.value ? Number(select.value) : null;
      const safe = items.filter(function (i) { return i.safe && (from === null || i.from_version === from); }).length;
      const confirmButton = h("button", {type: "button", class: "fr-btn", id: "bulk-confirm",
        text: "Confirmer la migration", onclick: function (e) { e.currentTarget.disabled = true; migrateAll(from); }});
      bulk.replaceChildren(h("div", {class: "fr-alert fr-alert--warning fr-alert--sm fr-mb-2w", role: "alertdialog",
          "aria-labelledby": "bulk-confirm-title", "aria-describedby": "bulk-confirm-text"},
        h("h3", {class: "fr-alert__title", id: "bulk-confirm-title", text: "Confirmer la migration"}),
        // one sentence, the number with its article (a QA finding: « Migrer vers la version 2 9
        // dossiers sûrs… », two numbers run together)
        h("p", {id: "bulk-confirm-text", text: "Migrer "
          + (safe === 1 ? "le dossier sûr" : safe > 1 ? "les " + plural(safe, "dossier sûr", "dossiers sûrs") : "les dossiers sûrs")
          + (from === null ? " de toutes les autres versions" : " de la version " + from)
          + " vers la version " + n + " ? Chaque dossier migre dans sa propre transaction et son historique le note ; les dossiers non sûrs restent sur leur version."}),
        h("ul", {class: "fr-btns-group fr-btns-group--inline-sm fr-mt-1w"},
          h("li", {}, confirmButton),
          h("li", {}, h("button", {type: "button", class: "fr-btn fr-btn--secondary", id: "bulk-cancel",
            text: "Annuler", onclick: function () { bulk.replaceChildren(); say("Migration annulée : rien n'a changé."); $("bulk-migrate").focus(); }})))));
      confirmButton.focus();
    });

    async function migrateAll(from) {
      $("bulk-migrate").disabled = true;
      let result;
      try {
        result = await api("POST", apiKey(key) + "/versions/" + n + "/migrations", {json: {from_version: from}});
      } catch (err) {
        bulk.replaceChildren(errorBox(err, "La migration n'a pas abouti"));
        await load();
        return;
      }
      const moved = result.migrated || [], refused = result.refused || [];
      // nothing refused: no table, and no "null" text (replaceChildren writes null as text)
      bulk.replaceChildren.apply(bulk, [
        (moved.length ? successBox : infoBox)((moved.length ? plural(moved.length, "dossier migré", "dossiers migrés") : "Aucun dossier migré") + " vers la version " + n,
          moved.length ? h("p", {id: "bulk-moved", text: "Migrés : " + moved.map(reference).join(", ") + "."}) : null),
        refused.length ? table("refused-table", "Dossiers restés sur leur version, et pourquoi", ["Dossier", "Raisons"],
          refused.map(function (r) {
            return h("tr", {"data-case": r.case}, h("th", {scope: "row", text: reference(r.case)}),
              h("td", {}, h("ul", {class: "ui-reasons"}, (r.reasons || []).map(function (x) { return h("li", {text: x}); }))));
          })) : null].filter(Boolean));
      say(plural(moved.length, "dossier migré", "dossiers migrés") + ", " + plural(refused.length, "refusé", "refusés") + ".");
      await load();
    }

    await load();
  };

  window.Designer = {config: config, api: api, fetchAll: fetchAll, h: h, say: say, badge: badge,
                     errorBox: errorBox, successBox: successBox, ui: ui, problemItems: problemItems,
                     plural: plural};

  if (pages[config.page]) {
    pages[config.page]().catch(function (err) {
      say("");
      document.getElementById("contenu").append(errorBox(err instanceof ApiError ? err
        : new ApiError(500, {detail: "Erreur inattendue dans la page : " + err.message})));
    });
  }
})();
