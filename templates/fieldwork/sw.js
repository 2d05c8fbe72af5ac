{% autoescape off %}/* The service worker of the installable app (served at /sw.js by
   fieldwork.views.service_worker, which fills in the names below).

   What it keeps, in the browser's Cache Storage:
   - the static files every page uses (styles, scripts, icons), under a name
     that changes with each release: a page opens without fetching them again;
   - the offline page (/field/), which holds no personal data: it is put
     there by the page when the practitioner prepares for the field
     (static/fieldwork/field.js), and removed at sign-out.
   It never keeps a page of the site or an answer of the server: those may
   show personal data (the server marks them no-store). What the field page
   shows comes from the practitioner's encrypted store on the phone. */
"use strict";

var VERSION = "{{ version }}";
var STATIC = "casework-static-" + VERSION;
var SHELL_CACHE = "casework-field-shell";
var SHELL = "{{ shell_url }}";
var ASSETS = {{ assets }};
// A navigation that gets no answer within this time is shown the offline page.
var PATIENCE_MS = 8000;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC).then(function (cache) {
      return cache.addAll(ASSETS);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("casework-static-") === 0 && name !== STATIC;
      }).map(function (name) {
        return caches.delete(name);
      }));
    }).then(function () {
      return self.clients.claim();
    })
  );
});

function isStatic(url) {
  return url.origin === self.location.origin && url.pathname.indexOf("{{ static_url }}") === 0;
}

function staticFirst(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (kept) {
      if (kept) {
        return kept;
      }
      return fetch(request).then(function (response) {
        if (response.ok) {
          cache.put(request, response.clone());
        }
        return response;
      });
    });
  });
}

function offlinePage() {
  return caches.open(SHELL_CACHE).then(function (cache) {
    return cache.match(SHELL);
  }).then(function (kept) {
    return kept || Response.error();
  });
}

function pageOrOffline(request) {
  return new Promise(function (resolve) {
    var settled = false;
    function settle(response) {
      if (!settled) {
        settled = true;
        resolve(response);
      }
    }
    var timer = setTimeout(function () {
      offlinePage().then(function (kept) {
        if (kept.type !== "error") {
          settle(kept);
        }
      });
    }, PATIENCE_MS);
    fetch(request).then(function (response) {
      clearTimeout(timer);
      settle(response);
    }, function () {
      clearTimeout(timer);
      offlinePage().then(settle);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (isStatic(url)) {
    event.respondWith(staticFirst(request));
  } else if (request.mode === "navigate" && url.origin === self.location.origin) {
    event.respondWith(pageOrOffline(request));
  }
});
{% endautoescape %}
