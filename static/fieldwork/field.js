/* The installable app: registers the service worker (templates/fieldwork/sw.js)
   that keeps the static files on the phone. Loaded on every page, as a file
   (the Content-Security-Policy forbids inline scripts); every page works
   without it. */
(function () {
  "use strict";

  var script = document.currentScript;
  if ("serviceWorker" in navigator && script && script.dataset.sw && window.isSecureContext) {
    navigator.serviceWorker.register(script.dataset.sw, { scope: "/" }).catch(function () {
      /* The app still works without it, only not offline. */
    });
  }
})();
