/* Field work without a network (fieldwork/, issue 17), and the installable app.

   On every page: registers the service worker (templates/fieldwork/sw.js),
   shows the banner of entries waiting to be sent, sends them when the
   network is there (and by "Send now"), and wipes the phone's store at
   sign-out. On Today: "Prepare for the field" and the entries that need a
   decision. On the offline page (/field/, which the service worker shows
   when a page cannot be fetched): Today and the rosters, drawn from what
   the phone keeps.

   What the phone keeps, in IndexedDB ("casework-field"): the prepared
   bundle (the server's /field/prepare/ answer) and the entries recorded
   offline, each encrypted with AES-GCM under a key made on the phone that
   cannot be read out of it (WebCrypto, non-extractable). Both expire after
   the set number of days; entries are kept, never sent twice, until the
   server has answered for them. Every word shown comes translated from the
   server (fieldwork/texts.py). No framework, no CDN. */
(function () {
  "use strict";

  var script = document.currentScript;
  var cfg = (script && script.dataset) || {};

  if ("serviceWorker" in navigator && cfg.sw && window.isSecureContext) {
    navigator.serviceWorker.register(cfg.sw, { scope: "/" }).catch(function () {
      /* The app still works without it, only not offline. */
    });
  }
  if (!window.indexedDB || !window.crypto || !window.crypto.subtle || !window.fetch) {
    return;
  }

  var DB_NAME = "casework-field";
  var SHELL_CACHE = "casework-field-shell";
  var DAY = 24 * 3600 * 1000;
  // A prepared phone is brought up to date when Today opens online, at most this often.
  var REFRESH_AFTER = 30 * 60 * 1000;
  var stringsNode = document.getElementById("field-strings");
  var T = stringsNode ? JSON.parse(stringsNode.textContent) : {};
  var TZ = T._time_zone || undefined;
  var LANG = document.documentElement.lang || "en";
  var isShell = document.body.dataset.fieldShell === "1";
  var me = cfg.user ? Number(cfg.user) : null;
  var keepDays = Number(cfg.keepDays || 7);
  var notes = []; // lines the banner shows after a send: [{text, tone}]
  var needsSignIn = false;
  var syncing = false;

  function t(key, params) {
    var text = T[key] || key;
    return text.replace(/%\((\w+)\)[sd]/g, function (_all, name) {
      return params && params[name] !== undefined ? String(params[name]) : "";
    });
  }

  // --- the store ----------------------------------------------------------------

  var dbPromise = null;

  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore("meta");
          request.result.createObjectStore("entries", { keyPath: "key" });
        };
        request.onsuccess = function () {
          var handle = request.result;
          handle.onversionchange = function () {
            handle.close();
            dbPromise = null;
          };
          resolve(handle);
        };
        request.onerror = function () {
          reject(request.error);
        };
      });
    }
    return dbPromise;
  }

  function tx(store, mode, work) {
    return db().then(function (handle) {
      return new Promise(function (resolve, reject) {
        var transaction = handle.transaction(store, mode);
        var result;
        Promise.resolve(work(transaction.objectStore(store))).then(function (value) {
          result = value;
        });
        transaction.oncomplete = function () {
          resolve(result);
        };
        transaction.onerror = transaction.onabort = function () {
          reject(transaction.error);
        };
      });
    });
  }

  function req(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () {
        resolve(request.result);
      };
      request.onerror = function () {
        reject(request.error);
      };
    });
  }

  function getMeta(name) {
    return tx("meta", "readonly", function (store) {
      return req(store.get(name));
    });
  }

  function putMeta(name, value) {
    return tx("meta", "readwrite", function (store) {
      store.put(value, name);
    });
  }

  function allEntries() {
    return tx("entries", "readonly", function (store) {
      return req(store.getAll());
    });
  }

  function putEntry(record) {
    return tx("entries", "readwrite", function (store) {
      store.put(record);
    });
  }

  function deleteEntries(keys) {
    return tx("entries", "readwrite", function (store) {
      keys.forEach(function (key) {
        store.delete(key);
      });
    });
  }

  // The key: made on this phone, never readable out of it.
  var keyPromise = null;

  function cryptoKey() {
    if (!keyPromise) {
      keyPromise = getMeta("key").then(function (key) {
        if (key) {
          return key;
        }
        return crypto.subtle
          .generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"])
          .then(function (made) {
            return putMeta("key", made).then(function () {
              return made;
            });
          });
      });
    }
    return keyPromise;
  }

  function seal(value) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var plain = new TextEncoder().encode(JSON.stringify(value));
    return cryptoKey()
      .then(function (key) {
        return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, key, plain);
      })
      .then(function (sealed) {
        return { iv: iv, data: sealed };
      });
  }

  function unseal(box) {
    return cryptoKey()
      .then(function (key) {
        return crypto.subtle.decrypt({ name: "AES-GCM", iv: box.iv }, key, box.data);
      })
      .then(function (plain) {
        return JSON.parse(new TextDecoder().decode(plain));
      });
  }

  function wipe() {
    keyPromise = null;
    var closing = dbPromise
      ? dbPromise.then(function (handle) {
          handle.close();
        })
      : Promise.resolve();
    dbPromise = null;
    return closing
      .then(function () {
        return new Promise(function (resolve) {
          var request = indexedDB.deleteDatabase(DB_NAME);
          request.onsuccess = request.onerror = request.onblocked = function () {
            resolve();
          };
        });
      })
      .then(function () {
        return window.caches ? caches.delete(SHELL_CACHE) : null;
      });
  }

  // --- the bundle and the entries --------------------------------------------------

  function loadBundle() {
    return getMeta("bundle").then(function (box) {
      if (!box) {
        return null;
      }
      if (box.expiresAt < Date.now()) {
        return putMeta("bundle", null).then(function () {
          return null;
        });
      }
      return unseal(box).then(function (bundle) {
        bundle.owner = box.user;
        return bundle;
      });
    });
  }

  function saveBundle(bundle) {
    var prepared = Date.parse(bundle.prepared_at) || Date.now();
    return seal(bundle).then(function (box) {
      box.user = bundle.user;
      box.expiresAt = prepared + bundle.keep_days * DAY;
      return putMeta("bundle", box);
    });
  }

  function owner() {
    return getMeta("bundle").then(function (box) {
      return box ? box.user : null;
    });
  }

  // Entries whose time is up are deleted; how many, once, for the banner.
  function purgeExpired() {
    return allEntries().then(function (records) {
      var gone = records.filter(function (r) {
        return r.expiresAt < Date.now();
      });
      if (!gone.length) {
        return 0;
      }
      notes.push({ text: t("expired", { days: keepDays, n: gone.length }), tone: "danger" });
      return deleteEntries(
        gone.map(function (r) {
          return r.key;
        })
      ).then(function () {
        return gone.length;
      });
    });
  }

  function entriesOf(user) {
    return allEntries().then(function (records) {
      return records
        .filter(function (r) {
          return r.user === user;
        })
        .sort(function (a, b) {
          return a.recordedAt - b.recordedAt;
        });
    });
  }

  function openEntry(record) {
    return unseal(record.box).then(function (content) {
      content.record = record;
      return content;
    });
  }

  function storeEntry(record, content) {
    return seal({ entry: content.entry, title: content.title, answer: content.answer || null }).then(function (box) {
      record.box = box;
      return putEntry(record);
    });
  }

  function uuid() {
    if (crypto.randomUUID) {
      return crypto.randomUUID();
    }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(b, function (x) {
        return (x + 256).toString(16).slice(1);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // --- dates ------------------------------------------------------------------------

  function fmt(iso, options) {
    try {
      return new Intl.DateTimeFormat(LANG, Object.assign({ timeZone: TZ }, options)).format(new Date(iso));
    } catch (e) {
      return new Date(iso).toLocaleString();
    }
  }

  function dayKey(when) {
    return new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit" }).format(
      new Date(when)
    );
  }

  function hm(iso) {
    return fmt(iso, { hour: "2-digit", minute: "2-digit", hour12: false });
  }

  function dayLabel(iso) {
    return fmt(iso, { weekday: "short", day: "numeric", month: "short" });
  }

  function moment(iso) {
    return fmt(iso, { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hour12: false });
  }

  // --- building the page (text only: never HTML from data) -----------------------------

  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) {
        return;
      }
      if (name === "text") {
        node.textContent = value;
      } else if (name === "on") {
        Object.keys(value).forEach(function (type) {
          node.addEventListener(type, value[type]);
        });
      } else {
        node.setAttribute(name, value === true ? "" : value);
      }
    });
    (children || []).forEach(function (child) {
      if (child) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    });
    return node;
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function rosterUrl(id) {
    return "/programmes/sessions/" + id + "/log/";
  }

  // --- preparing ----------------------------------------------------------------------

  function cacheShell() {
    if (!window.caches || !cfg.shell) {
      return Promise.resolve();
    }
    return fetch(cfg.shell, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      if (!response.ok || response.redirected) {
        throw new Error("shell");
      }
      return caches.open(SHELL_CACHE).then(function (cache) {
        return cache.put(cfg.shell, response);
      });
    });
  }

  function shellKept() {
    if (!window.caches) {
      return Promise.resolve(true);
    }
    return caches.open(SHELL_CACHE).then(function (cache) {
      return cache.match(cfg.shell).then(Boolean);
    });
  }

  // ``refreshing``: a prepared phone brought up to date (the offline page
  // is fetched again only if it is missing).
  function prepare(refreshing) {
    return fetch(cfg.prepare, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || response.redirected || type.indexOf("application/json") !== 0) {
          throw new Error("prepare");
        }
        return response.json();
      })
      .then(function (bundle) {
        return saveBundle(bundle)
          .then(function () {
            return refreshing ? shellKept() : false;
          })
          .then(function (kept) {
            return kept ? null : cacheShell();
          });
      });
  }

  function preparedText(bundle) {
    var until = new Date(Date.parse(bundle.today + "T12:00:00Z") + bundle.days * DAY);
    return t("prepared", {
      when: moment(bundle.prepared_at),
      date: fmt(until.toISOString(), { day: "numeric", month: "long" }),
      days: bundle.keep_days,
    });
  }

  function showPreparePanel() {
    var panel = document.getElementById("field-prepare");
    if (!panel || !me) {
      return;
    }
    var status = h("p", { class: "small mb-0 text-body-secondary", id: "field-prepared" });
    var button = h("button", { type: "button", class: "btn btn-outline-primary btn-sm", "data-field-prepare": "1" }, [
      t("prepare"),
    ]);
    function run(refreshing) {
      button.disabled = true;
      button.textContent = t("preparing");
      return prepare(refreshing === true)
        .then(loadBundle)
        .then(function (bundle) {
          status.textContent = preparedText(bundle);
        })
        .catch(function () {
          status.textContent = t("prepare_failed");
        })
        .then(function () {
          button.disabled = false;
          button.textContent = t("prepare");
          refresh();
        });
    }
    button.addEventListener("click", function () {
      run(false);
    });
    panel.replaceChildren(h("div", { class: "d-flex flex-wrap align-items-center gap-2" }, [button, status]));
    panel.hidden = false;
    loadBundle().then(function (bundle) {
      if (bundle && bundle.owner === me) {
        status.textContent = preparedText(bundle);
        if (navigator.onLine && Date.now() - Date.parse(bundle.prepared_at) > REFRESH_AFTER) {
          run(true); // a prepared phone is brought up to date when Today opens online
        }
      }
    });
  }

  // --- sending ----------------------------------------------------------------------------

  function updateBundleSession(session) {
    return loadBundle().then(function (bundle) {
      if (!bundle) {
        return null;
      }
      bundle.sessions.forEach(function (s) {
        if (s.id === session.id) {
          s.status = session.status;
          s.logged_at = session.logged_at;
        }
      });
      return saveBundle(bundle);
    });
  }

  function noticeLines(answer, body) {
    return (answer.events || []).map(function (event) {
      var key = event.kind === "dropout" || event.kind === "non_compliance" ? event.kind : "safety";
      return {
        text: t(key, { name: (body.people || {})[event.enrolment] || "", told: event.organisations.join(", ") }),
        tone: "warning",
      };
    });
  }

  function sync() {
    if (syncing || !me || !navigator.onLine) {
      return Promise.resolve();
    }
    syncing = true;
    var opened;
    return entriesOf(me)
      .then(function (records) {
        return Promise.all(
          records
            .filter(function (r) {
              return r.state === "waiting";
            })
            .map(openEntry)
        );
      })
      .then(function (waiting) {
        opened = waiting;
        if (!waiting.length) {
          return null;
        }
        renderBanner(t("sending"));
        return fetch(cfg.sync, {
          method: "POST",
          credentials: "same-origin",
          cache: "no-store",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify({
            entries: waiting.map(function (c) {
              return c.entry;
            }),
          }),
        }).then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          if (response.redirected || response.status === 401 || type.indexOf("application/json") !== 0) {
            needsSignIn = true;
            return null;
          }
          if (!response.ok) {
            throw new Error("sync");
          }
          needsSignIn = false;
          return response.json().then(function (body) {
            return settle(opened, body);
          });
        });
      })
      .catch(function () {
        notes.push({ text: t("not_sent"), tone: "secondary" });
      })
      .then(function () {
        syncing = false;
        return refresh();
      });
  }

  function settle(opened, body) {
    var done = [];
    var work = [];
    body.results.forEach(function (answer, index) {
      var content = opened[index];
      if (!content) {
        return;
      }
      if (answer.outcome === "applied") {
        done.push(content.record.key);
        notes.push({ text: t("sent", { title: content.title }), tone: "success" });
        notes.push.apply(notes, noticeLines(answer, body));
        work.push(updateBundleSession(answer.session));
      } else {
        content.record.state = answer.outcome === "conflict" ? "conflict" : "invalid";
        content.answer = {
          result: answer,
          people: body.people || {},
          staff: body.staff || {},
          sessions: body.sessions || {},
        };
        work.push(storeEntry(content.record, content));
      }
    });
    work.push(deleteEntries(done));
    return Promise.all(work);
  }

  // --- the banner ------------------------------------------------------------------------------

  var banner = document.getElementById("field-banner");

  function ensureBanner() {
    if (!banner) {
      banner = h("div", { id: "field-banner", class: "ps-field-banner", hidden: true });
      var main = document.getElementById("main");
      if (main) {
        main.parentNode.insertBefore(banner, main);
      }
    }
    return banner;
  }

  function renderBanner(sending) {
    var who = me;
    return (who ? Promise.resolve(who) : owner())
      .then(function (user) {
        return Promise.all([user, user ? entriesOf(user) : [], owner()]);
      })
      .then(function (found) {
        var user = found[0];
        var records = found[1];
        var storeOwner = found[2];
        var place = ensureBanner();
        var lines = [];
        var waiting = records.filter(function (r) {
          return r.state === "waiting";
        });
        if (!navigator.onLine) {
          lines.push(h("strong", { text: t("offline") }));
        }
        if (waiting.length) {
          var row = h("div", { class: "d-flex flex-wrap align-items-center gap-2" }, [
            h("span", { "data-field-waiting": String(waiting.length), text: t("waiting", { n: waiting.length }) }),
          ]);
          if (sending) {
            row.appendChild(h("span", { class: "small", text: sending }));
          } else if (navigator.onLine && me === user && me) {
            row.appendChild(
              h(
                "button",
                { type: "button", class: "btn btn-sm btn-primary", "data-field-send": "1", on: { click: sync } },
                [t("send_now")]
              )
            );
          }
          if (navigator.onLine && (needsSignIn || (!me && !isShell))) {
            row.appendChild(h("a", { href: "/accounts/login/", text: t("sign_in_to_send") }));
          }
          lines.push(row);
          var soon = waiting.filter(function (r) {
            return r.expiresAt - Date.now() < DAY;
          });
          if (soon.length) {
            lines.push(
              h("div", {
                class: "text-danger-emphasis",
                text: t("expiring", { date: moment(new Date(soon[0].expiresAt).toISOString()), n: soon.length }),
              })
            );
          }
        }
        if (me && storeOwner && storeOwner !== me) {
          lines.push(h("div", { text: t("other_user") }));
        }
        notes.forEach(function (note) {
          lines.push(h("div", { class: "text-" + note.tone + "-emphasis", "data-field-note": note.tone, text: note.text }));
        });
        if (!records.length && waiting.length === 0 && notes.length === 0 && navigator.onLine) {
          place.hidden = true;
          return;
        }
        if (!lines.length) {
          place.hidden = true;
          return;
        }
        var tone = !navigator.onLine ? "alert-warning" : waiting.length ? "alert-info" : "alert-light";
        place.className = "ps-field-banner alert rounded-0 mb-0 py-2 " + tone;
        place.setAttribute("role", "status");
        place.replaceChildren(h("div", { class: "container d-grid gap-1" }, lines));
        place.hidden = false;
      });
  }

  // --- decisions: conflicts and refusals, hers beside the server's -----------------------------

  function markName(mark) {
    return t(mark);
  }

  function yoursBlock(content, names) {
    var entry = content.entry;
    var list = h(
      "ul",
      { class: "mb-1 small" },
      Object.keys(entry.marks).map(function (id) {
        return h("li", { text: (names[id] || "#" + id) + ": " + markName(entry.marks[id]) });
      })
    );
    return h("div", { class: "col-md-6" }, [
      h("h4", { class: "h6", text: t("yours") }),
      h("p", { class: "small mb-1", text: t("recorded_at", { when: moment(entry.recorded_at) }) }),
      list,
      entry.topic_covered ? h("p", { class: "small mb-1", text: t("topic_label") + " " + entry.topic_covered }) : null,
      entry.notes ? h("p", { class: "small mb-1 ps-field-note", text: t("note_label") + " " + entry.notes }) : null,
    ]);
  }

  function serverBlock(content, names) {
    var answer = content.answer || {};
    var result = answer.result || {};
    var lines = [];
    (result.conflicts || []).forEach(function (c) {
      if (c.code === "session_cancelled") {
        var reason = ((answer.sessions || {})[String(result.session.id)] || {}).cancel_reason || "";
        lines.push(h("p", { class: "mb-1", text: t("was_cancelled", { reason: reason }) }));
      } else if (c.code === "session_moved") {
        lines.push(h("p", { class: "mb-1", text: t("was_moved", { when: moment(c.starts_at), place: c.location || t("no_place") }) }));
      } else if (c.code === "already_logged") {
        var who = (answer.staff || {})[String(c.logged_by)] || "";
        lines.push(
          h("p", {
            class: "mb-1",
            text: c.by_you ? t("logged_by_you", { when: moment(c.logged_at) }) : t("logged_by", { who: who, when: moment(c.logged_at) }),
          })
        );
        lines.push(
          h(
            "ul",
            { class: "mb-1 small" },
            Object.keys(c.marks).map(function (id) {
              return h("li", { text: ((answer.people || {})[id] || names[id] || "#" + id) + ": " + markName(c.marks[id]) });
            })
          )
        );
        if (c.topic_covered) {
          lines.push(h("p", { class: "small mb-1", text: t("topic_label") + " " + c.topic_covered }));
        }
      } else if (c.code === "enrolment_ended") {
        lines.push(
          h("p", {
            class: "mb-1",
            text: t("enrolment_ended", {
              name: (answer.people || {})[String(c.enrolment)] || names[c.enrolment] || "",
              date: c.ended_on ? fmt(c.ended_on + "T12:00:00Z", { day: "numeric", month: "short" }) : "",
            }),
          })
        );
      } else if (c.code === "roster_changed") {
        lines.push(h("p", { class: "mb-1", text: t("roster_changed") }));
      }
    });
    Object.keys(result.errors || {}).forEach(function (field) {
      result.errors[field].forEach(function (message) {
        lines.push(h("p", { class: "mb-1 text-danger-emphasis", text: message }));
      });
    });
    return h("div", { class: "col-md-6" }, [h("h4", { class: "h6", text: t("server") })].concat(lines));
  }

  function rebase(content) {
    var entry = Object.assign({}, content.entry);
    (content.answer.result.conflicts || []).forEach(function (c) {
      if (c.code === "session_moved") {
        entry.base_starts_at = c.starts_at;
        entry.base_location = c.location;
      } else if (c.code === "already_logged") {
        entry.base_logged_at = c.logged_at;
      }
    });
    entry.key = uuid();
    var record = content.record;
    return deleteEntries([record.key]).then(function () {
      var fresh = Object.assign({}, record, { key: entry.key, state: "waiting" });
      return storeEntry(fresh, { entry: entry, title: content.title }).then(sync);
    });
  }

  function decisionCard(content, names) {
    var record = content.record;
    var codes = ((content.answer || {}).result || {}).conflicts || [];
    var rosterChanged = codes.some(function (c) {
      return c.code === "enrolment_ended" || c.code === "roster_changed";
    });
    var cancelled = codes.some(function (c) {
      return c.code === "session_cancelled";
    });
    var actions = [];
    if (record.state === "conflict" && !cancelled && !rosterChanged) {
      actions.push(
        h("button", { type: "button", class: "btn btn-sm btn-primary", "data-field-keep": record.key, on: { click: function () {
          rebase(content);
        } } }, [t("keep_mine")])
      );
    }
    if (!cancelled && (rosterChanged || record.state === "invalid")) {
      actions.push(h("a", { class: "btn btn-sm btn-outline-primary", href: rosterUrl(content.entry.session), text: t("open_roster") }));
    }
    actions.push(
      h("button", { type: "button", class: "btn btn-sm btn-outline-danger", "data-field-discard": record.key, on: { click: function () {
        if (window.confirm(t("discard_confirm"))) {
          deleteEntries([record.key]).then(refresh);
        }
      } } }, [t("discard")])
    );
    return h("article", { class: "card mb-2", "data-field-decision": record.state }, [
      h("div", { class: "card-body" }, [
        h("h3", { class: "h6", text: content.title }),
        h("p", { class: "small text-body-secondary", text: record.state === "invalid" ? t("needs_correction") : "" }),
        h("div", { class: "row g-3" }, [yoursBlock(content, names), serverBlock(content, names)]),
        h("div", { class: "d-flex flex-wrap gap-2 mt-2" }, actions),
      ]),
    ]);
  }

  function rosterNames(bundle) {
    var names = {};
    ((bundle && bundle.sessions) || []).forEach(function (s) {
      s.roster.forEach(function (row) {
        names[row.enrolment] = row.name;
      });
    });
    return names;
  }

  function renderDecisions(place, user, bundle) {
    if (!place || !user) {
      return Promise.resolve();
    }
    return entriesOf(user)
      .then(function (records) {
        return Promise.all(
          records
            .filter(function (r) {
              return r.state !== "waiting";
            })
            .map(openEntry)
        );
      })
      .then(function (open) {
        if (!open.length) {
          place.replaceChildren();
          place.hidden = true;
          return;
        }
        var names = rosterNames(bundle);
        place.replaceChildren(
          h("h2", { class: "h5", text: t("needs_decision") }),
          ...open.map(function (content) {
            return decisionCard(content, names);
          })
        );
        place.hidden = false;
      });
  }

  // --- the offline pages -------------------------------------------------------------------------

  function sessionCard(session, waitingFor) {
    var title = session.title;
    var kind = session.kind === "group" ? t("group") : t("individual");
    var waiting = waitingFor[session.id];
    var body = [
      h("div", { class: "d-flex justify-content-between align-items-start gap-2" }, [
        h("div", {}, [
          h("p", { class: "ps-when mb-0", text: hm(session.starts_at) + "–" + hm(session.ends_at) }),
          h("h3", { class: "h6 mb-1", text: title }),
        ]),
        h("span", { class: "badge ps-kind ps-kind-" + session.kind, text: kind + " " + session.number }),
      ]),
      h("p", { class: "mb-1 small" }, [
        session.location || t("no_place"),
        session.mobile ? h("span", { class: "badge text-bg-info ms-1", text: t("mobile") }) : null,
      ]),
    ];
    if (session.status === "cancelled") {
      body.push(h("p", { class: "mb-0 small text-danger-emphasis", text: t("cancelled") }));
    } else {
      body.push(
        h("details", { class: "small mb-2" }, [
          h("summary", { text: t("expected", { n: session.roster.length }) }),
          h(
            "ol",
            { class: "mb-0 ps-names" },
            session.roster.map(function (row) {
              return h("li", { text: row.name });
            })
          ),
        ])
      );
      if (waiting) {
        body.push(h("p", { class: "small mb-2 text-info-emphasis", "data-field-saved": "1", text: t("saved_here", { when: hm(waiting) }) }));
      }
      var logged = session.status === "held" || session.status === "not_held";
      body.push(
        h("a", {
          class: "btn " + (logged ? "btn-outline-success" : "btn-primary"),
          href: rosterUrl(session.id),
          text: logged ? t("logged_open") : t("log_attendance"),
        })
      );
    }
    return h("article", { class: "card mb-2 ps-session ps-session-" + session.status, "data-session": String(session.id) }, [
      h("div", { class: "card-body" }, body),
    ]);
  }

  function drawToday(page, bundle, records) {
    var today = dayKey(Date.now());
    var waitingFor = {};
    records.forEach(function (r) {
      if (r.state === "waiting") {
        waitingFor[r.session] = new Date(r.recordedAt).toISOString();
      }
    });
    var todays = [];
    var coming = [];
    var past = [];
    bundle.sessions.forEach(function (s) {
      var key = dayKey(s.starts_at);
      if (key === today) {
        todays.push(s);
      } else if (key > today) {
        coming.push(s);
      } else {
        past.push(s);
      }
    });
    var decisions = h("section", { id: "field-decisions", class: "mb-4", hidden: true });
    var parts = [
      h("div", { class: "d-flex flex-wrap align-items-baseline gap-2 mb-3" }, [
        h("h1", { class: "h3 mb-0", text: t("today") }),
        h("span", { class: "fs-6 text-body-secondary", text: fmt(new Date().toISOString(), { weekday: "long", day: "numeric", month: "long" }) }),
      ]),
      decisions,
      h("section", { class: "mb-4" }, [h("h2", { class: "h5", text: t("your_sessions_today") })].concat(
        todays.length
          ? todays.map(function (s) {
              return sessionCard(s, waitingFor);
            })
          : [h("p", { class: "cw-empty", text: t("no_sessions_today") })]
      )),
    ];
    if (past.length) {
      parts.push(
        h("section", { class: "mb-4" }, [h("h2", { class: "h5", text: t("not_yet_logged") })].concat(
          past.map(function (s) {
            return h("div", {}, [h("p", { class: "small mb-1 text-body-secondary", text: dayLabel(s.starts_at) }), sessionCard(s, waitingFor)]);
          })
        ))
      );
    }
    if (coming.length) {
      parts.push(
        h("section", { class: "mb-4" }, [h("h2", { class: "h5", text: t("coming_days") })].concat(
          coming.map(function (s) {
            return h("div", {}, [h("p", { class: "small mb-1 text-body-secondary", text: dayLabel(s.starts_at) }), sessionCard(s, waitingFor)]);
          })
        ))
      );
    }
    page.replaceChildren.apply(page, parts);
    return renderDecisions(decisions, bundle.owner, bundle);
  }

  var MARKS = ["present", "late", "excused", "unexcused"];
  var MARK_STYLE = {
    present: "btn-outline-success",
    late: "btn-outline-warning",
    excused: "btn-outline-secondary",
    unexcused: "btn-outline-danger",
  };
  var OTHER = "__other__";

  function drawRoster(page, bundle, records, id) {
    var session = bundle.sessions.filter(function (s) {
      return s.id === id;
    })[0];
    var back = h("p", {}, [h("a", { href: cfg.today, text: t("back_to_today") })]);
    if (!session) {
      page.replaceChildren(h("div", { class: "alert alert-secondary", text: t("not_in_bundle") }), back);
      return Promise.resolve();
    }
    var heading = h("div", { class: "mb-3" }, [
      h("p", { class: "ps-when mb-0", text: dayLabel(session.starts_at) + ", " + hm(session.starts_at) + "–" + hm(session.ends_at) }),
      h("h1", { class: "h4 mb-0", text: session.title }),
      h("p", { class: "small mb-0", text: session.location || t("no_place") }),
    ]);
    if (session.status === "cancelled") {
      page.replaceChildren(heading, h("div", { class: "alert alert-secondary", text: t("cancelled") }), back);
      return Promise.resolve();
    }
    if (Date.parse(session.loggable_from) > Date.now()) {
      page.replaceChildren(heading, h("div", { class: "alert alert-info", text: t("not_yet") }), back);
      return Promise.resolve();
    }
    var earlier = records.filter(function (r) {
      return r.session === id && r.state !== "conflict";
    })[0];
    return (earlier ? openEntry(earlier) : Promise.resolve(null)).then(function (before) {
      var prior = before ? before.entry : { marks: {}, topic_covered: session.planned_topic, notes: "", confirmed: [] };
      var topics = ((bundle.templates[String(session.template)] || {}).topics || []).slice();
      var values = topics.map(function (x) {
        return x.value;
      });
      if (session.planned_topic && values.indexOf(session.planned_topic) < 0) {
        topics.push({ value: session.planned_topic, label: session.planned_topic });
        values.push(session.planned_topic);
      }
      var form = h("form", { class: "ps-log-form", novalidate: true, "data-field-roster": String(id) });
      var errorBox = h("div", { class: "alert alert-danger", role: "alert", hidden: true });
      form.appendChild(errorBox);
      form.appendChild(
        h("div", { class: "d-flex flex-wrap justify-content-between align-items-center gap-2 mb-2" }, [
          h("h2", { class: "h5 mb-0", text: t("attendance") + ": " + session.roster.length }),
          h("button", { type: "button", class: "btn btn-outline-success", "data-mark-rest": "present", text: t("mark_rest") }),
        ])
      );
      var list = h("ol", { class: "list-unstyled ps-roster" });
      session.roster.forEach(function (row) {
        var name = "mark-" + row.enrolment;
        var marks = h("div", { class: "ps-marks" });
        MARKS.forEach(function (mark) {
          var idFor = name + "-" + mark;
          marks.appendChild(
            h("input", {
              type: "radio",
              class: "btn-check",
              name: name,
              id: idFor,
              value: mark,
              autocomplete: "off",
              checked: prior.marks[String(row.enrolment)] === mark,
            })
          );
          marks.appendChild(h("label", { class: "btn ps-mark " + MARK_STYLE[mark], for: idFor, text: t(mark) }));
        });
        var fieldset = h("fieldset", {}, [h("legend", { class: "ps-roster-name", text: row.name }), marks]);
        if (row.short_notice) {
          var confirmId = "confirm-" + row.enrolment;
          fieldset.appendChild(
            h("div", { class: "ps-short-notice small mt-1" }, [
              h("span", { class: "badge text-bg-warning", text: t("short_notice") }),
              h("div", { class: "form-check mt-1" }, [
                h("input", {
                  class: "form-check-input",
                  type: "checkbox",
                  name: confirmId,
                  id: confirmId,
                  checked: (prior.confirmed || []).indexOf(row.enrolment) >= 0,
                }),
                h("label", { class: "form-check-label", for: confirmId, text: t("confirm_absence") }),
              ]),
            ])
          );
        }
        list.appendChild(h("li", { class: "ps-roster-row", "data-enrolment": String(row.enrolment) }, [fieldset]));
      });
      form.appendChild(list);
      var chosen = prior.topic_covered ? (values.indexOf(prior.topic_covered) >= 0 ? prior.topic_covered : OTHER) : "";
      var select = h("select", { class: "form-select", id: "field-topic", name: "topic" }, [
        h("option", { value: "", text: t("no_topic") }),
      ]);
      topics.forEach(function (x) {
        select.appendChild(h("option", { value: x.value, text: x.label, selected: x.value === chosen }));
      });
      select.appendChild(h("option", { value: OTHER, text: t("other_topic"), selected: chosen === OTHER }));
      var other = h("input", {
        class: "form-control",
        id: "field-topic-other",
        name: "topic_other",
        maxlength: "200",
        value: chosen === OTHER ? prior.topic_covered : "",
      });
      var note = h("textarea", { class: "form-control", id: "field-notes", name: "notes", rows: "4", maxlength: "5000" });
      note.value = prior.notes || "";
      form.appendChild(
        h("section", { class: "card mb-3" }, [
          h("div", { class: "card-body" }, [
            h("div", { class: "mb-3" }, [h("label", { class: "form-label", for: "field-topic", text: t("topic") }), select]),
            h("div", { class: "mb-3" }, [h("label", { class: "form-label", for: "field-topic-other", text: t("other_topic_label") }), other]),
            h("div", { class: "mb-0" }, [
              h("label", { class: "form-label", for: "field-notes", text: t("notes") }),
              note,
              h("div", { class: "form-text", text: t("notes_help") }),
            ]),
          ]),
        ])
      );
      form.appendChild(
        h("div", { class: "ps-save-bar" }, [h("button", { class: "btn btn-primary btn-lg w-100", type: "submit", text: t("save_here") })])
      );
      form.addEventListener("click", function (event) {
        var rest = event.target.closest("[data-mark-rest]");
        if (!rest) {
          return;
        }
        form.querySelectorAll(".ps-roster-row fieldset").forEach(function (fieldset) {
          if (!fieldset.querySelector("input[type=radio]:checked")) {
            fieldset.querySelector("input[type=radio][value=present]").checked = true;
          }
        });
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var marks = {};
        var errors = [];
        var confirmed = [];
        session.roster.forEach(function (row) {
          var picked = form.querySelector("input[name='mark-" + row.enrolment + "']:checked");
          var item = form.querySelector("[data-enrolment='" + row.enrolment + "']");
          item.classList.toggle("ps-roster-error", !picked);
          if (picked) {
            marks[String(row.enrolment)] = picked.value;
          }
          var box = form.querySelector("#confirm-" + row.enrolment);
          if (box && box.checked) {
            confirmed.push(row.enrolment);
          }
        });
        if (Object.keys(marks).length !== session.roster.length) {
          errors.push(t("mark_everyone"));
        }
        var anyone = Object.keys(marks).some(function (k) {
          return marks[k] === "present" || marks[k] === "late";
        });
        var topic = select.value === OTHER ? other.value.trim() : select.value;
        if (select.value === OTHER && !topic) {
          errors.push(t("type_topic"));
        } else if (anyone && !topic) {
          errors.push(t("enter_topic"));
        }
        if (errors.length) {
          errorBox.replaceChildren.apply(
            errorBox,
            errors.map(function (e) {
              return h("div", { text: e });
            })
          );
          errorBox.hidden = false;
          errorBox.scrollIntoView();
          return;
        }
        var now = new Date();
        var entry = {
          key: uuid(),
          session: id,
          recorded_at: now.toISOString(),
          base_starts_at: session.starts_at,
          base_location: session.location,
          base_logged_at: session.logged_at,
          marks: marks,
          topic_covered: anyone ? topic : "",
          notes: note.value,
          confirmed: confirmed,
        };
        var title = session.title + ", " + dayLabel(session.starts_at);
        var record = {
          key: entry.key,
          user: bundle.owner,
          session: id,
          state: "waiting",
          recordedAt: now.getTime(),
          expiresAt: now.getTime() + bundle.keep_days * DAY,
        };
        var replaced = records
          .filter(function (r) {
            return r.session === id && r.state !== "conflict";
          })
          .map(function (r) {
            return r.key;
          });
        deleteEntries(replaced)
          .then(function () {
            return storeEntry(record, { entry: entry, title: title });
          })
          .then(function () {
            window.location.href = cfg.today;
          });
      });
      page.replaceChildren(heading, form, back);
    });
  }

  function drawShell() {
    var page = document.getElementById("field-page");
    return loadBundle().then(function (bundle) {
      if (!bundle) {
        page.replaceChildren(h("div", { class: "alert alert-warning", text: t("not_prepared") }));
        return;
      }
      return entriesOf(bundle.owner).then(function (records) {
        var path = window.location.pathname;
        var roster = path.match(/^\/programmes\/sessions\/(\d+)\/log\/$/);
        if (roster) {
          return drawRoster(page, bundle, records, Number(roster[1]));
        }
        if (path === cfg.today || path === cfg.shell) {
          return drawToday(page, bundle, records);
        }
        page.replaceChildren(
          h("div", { class: "alert alert-secondary", text: t("not_kept") }),
          h("p", {}, [h("a", { href: cfg.today, text: t("back_to_today") })])
        );
      });
    });
  }

  // --- putting it together ---------------------------------------------------------------------------

  function refresh() {
    var work = [renderBanner()];
    var decisions = document.getElementById("field-decisions");
    if (decisions && !isShell && me) {
      work.push(
        loadBundle().then(function (bundle) {
          return renderDecisions(decisions, me, bundle);
        })
      );
    }
    return Promise.all(work).catch(function () {
      /* A store that cannot be read shows nothing. */
    });
  }

  // Signing out wipes what the phone keeps (after asking, if entries wait).
  // Nothing on the phone may keep her signed in: a store that does not answer
  // within SIGN_OUT_PATIENCE_MS is not waited for, and the server's answer
  // (Clear-Site-Data) has the browser delete what the script could not.
  var SIGN_OUT_PATIENCE_MS = 3000;
  var UNKNOWN = {};

  function within(promise, fallback) {
    return Promise.race([
      promise.catch(function () {
        return fallback;
      }),
      new Promise(function (resolve) {
        setTimeout(resolve, SIGN_OUT_PATIENCE_MS, fallback);
      }),
    ]);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-field-sign-out]") || form.dataset.wiped) {
      return;
    }
    event.preventDefault();
    var waiting = storeExists().then(function (exists) {
      return exists && me
        ? entriesOf(me).then(function (records) {
            return records.filter(function (r) {
              return r.state === "waiting";
            }).length;
          })
        : 0;
    });
    within(waiting, UNKNOWN).then(function (count) {
      var question =
        count === UNKNOWN ? t("sign_out_unknown") : count ? t("sign_out_confirm", { n: count }) : null;
      if (question && !window.confirm(question)) {
        return;
      }
      return within(wipe(), null).then(function () {
        form.dataset.wiped = "1";
        form.submit();
      });
    });
  });

  // On the offline page with a network again: once the site answers, the
  // real page (which sends what waits). Not while a roster is being filled in.
  function backOnline(attempt) {
    if (!isShell || !navigator.onLine || document.querySelector("form[data-field-roster]")) {
      return;
    }
    fetch(cfg.today, { credentials: "same-origin", cache: "no-store", redirect: "manual" })
      .then(function (response) {
        if (response.ok || response.type === "opaqueredirect") {
          window.location.reload();
        } else {
          throw new Error("not yet");
        }
      })
      .catch(function () {
        if (attempt < 6) {
          setTimeout(backOnline, 1000 * Math.pow(2, attempt), attempt + 1);
        }
      });
  }

  window.addEventListener("online", function () {
    if (isShell) {
      renderBanner();
      setTimeout(backOnline, 500, 0);
    } else {
      sync();
    }
  });
  window.addEventListener("offline", function () {
    renderBanner();
  });

  // Has this phone ever been prepared? (Pages of other users, and the
  // sign-in page after a sign-out, do not make an empty store.)
  function storeExists() {
    if (isShell || !indexedDB.databases) {
      return Promise.resolve(true);
    }
    return indexedDB
      .databases()
      .then(function (list) {
        return list.some(function (d) {
          return d.name === DB_NAME;
        });
      })
      .catch(function () {
        return true;
      });
  }

  storeExists()
    .then(function (exists) {
      if (!exists) {
        showPreparePanel();
        return null;
      }
      return start();
    })
    .catch(function () {
      /* A phone whose store cannot be read still shows the site's pages. */
    });

  function start() {
    return purgeExpired()
      .catch(function () {
        return 0;
      })
      .then(function () {
        if (isShell) {
          return drawShell()
            .then(renderBanner)
            .then(function () {
              // Shown with a network (the site did not answer in time): try it again.
              setTimeout(backOnline, 2000, 1);
            });
        }
        showPreparePanel();
        return refresh().then(sync);
      });
  }
})();
