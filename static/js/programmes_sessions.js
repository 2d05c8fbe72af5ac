/* Session pages: "mark the rest present" on the roster and the certificate's
   print button. Loaded as a file (the Content-Security-Policy forbids inline
   scripts); both pages work without it. */
(function () {
  "use strict";

  function showButtons(root) {
    root.querySelectorAll("[data-mark-rest], [data-print]").forEach(function (button) {
      button.hidden = false;
    });
  }
  showButtons(document);
  // A roster saved through htmx comes back as new content (views_sessions.session_log).
  document.addEventListener("htmx:load", function (event) {
    showButtons(event.target);
  });

  document.addEventListener("click", function (event) {
    var rest = event.target.closest("[data-mark-rest]");
    if (rest) {
      var value = rest.getAttribute("data-mark-rest");
      rest.closest("form").querySelectorAll(".ps-roster-row fieldset").forEach(function (fieldset) {
        if (!fieldset.querySelector("input[type=radio]:checked")) {
          var radio = fieldset.querySelector("input[type=radio][value='" + value + "']");
          if (radio) {
            radio.checked = true;
          }
        }
      });
      return;
    }
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
