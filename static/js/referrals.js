/* Referral entry: "add another survivor" and the incident character count.
   Loaded as a file (the Content-Security-Policy forbids inline scripts). */
(function () {
  "use strict";

  // A button with data-formset-add="<prefix>" appends a copy of
  // <template id="<prefix>-empty-form"> to #<prefix>-forms and raises the
  // formset's TOTAL_FORMS, as Django's formsets expect.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-formset-add]");
    if (!button) {
      return;
    }
    var prefix = button.getAttribute("data-formset-add");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    var template = document.getElementById(prefix + "-empty-form");
    var target = document.getElementById(prefix + "-forms");
    if (!total || !template || !target) {
      return;
    }
    var index = parseInt(total.value, 10);
    var limit = max ? parseInt(max.value, 10) : Infinity;
    if (index >= limit) {
      button.disabled = true;
      return;
    }
    target.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    if (index + 1 >= limit) {
      button.disabled = true;
    }
    var added = target.lastElementChild;
    var first = added && added.querySelector("input, select, textarea");
    if (first) {
      first.focus();
    }
  });

  // <p data-select-summary="<select id>"> repeats the chosen option in full,
  // with the label of its <optgroup> (the provider's country): a closed
  // select on a phone cuts long text off.
  function updateSummary(summary) {
    var select = document.getElementById(summary.getAttribute("data-select-summary"));
    var option = select && select.selectedOptions[0];
    if (!option || !option.value) {
      summary.textContent = "";
      summary.hidden = true;
      return;
    }
    var group = option.parentElement && option.parentElement.tagName === "OPTGROUP" ? option.parentElement.label : "";
    summary.textContent = group ? option.text + ", " + group : option.text;
    summary.hidden = false;
  }
  document.querySelectorAll("[data-select-summary]").forEach(function (summary) {
    var select = document.getElementById(summary.getAttribute("data-select-summary"));
    if (select) {
      select.addEventListener("change", function () {
        updateSummary(summary);
      });
      updateSummary(summary);
    }
  });

  // <span data-char-count="<textarea id>"> shows how many characters are used.
  function updateCount(counter) {
    var field = document.getElementById(counter.getAttribute("data-char-count"));
    if (field) {
      counter.textContent = String(field.value.length);
    }
  }
  document.querySelectorAll("[data-char-count]").forEach(function (counter) {
    var field = document.getElementById(counter.getAttribute("data-char-count"));
    if (field) {
      field.addEventListener("input", function () {
        updateCount(counter);
      });
      updateCount(counter);
    }
  });
})();
