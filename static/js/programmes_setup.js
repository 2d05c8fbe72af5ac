/* Programme set-up pages: opening a group and enrolling a case.
   Loaded as a file (the Content-Security-Policy forbids inline scripts).
   Without it every option stays visible and the server still checks all. */
(function () {
  "use strict";

  function selectedOption(select) {
    return select && select.selectedIndex >= 0 ? select.options[select.selectedIndex] : null;
  }

  // Options of ``select`` for which ``keep(option)`` is false are hidden;
  // a hidden option that was chosen is unchosen.
  function filterOptions(select, keep) {
    Array.prototype.forEach.call(select.querySelectorAll("option"), function (option) {
      if (!option.value) {
        return;
      }
      var show = keep(option);
      option.hidden = !show;
      option.disabled = !show;
      if (!show && option.selected) {
        select.value = "";
      }
    });
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      group.hidden = !group.querySelector("option:not([hidden])");
    });
  }

  // --- Open a group: the place (room or village and district), languages.
  var groupForm = document.getElementById("pset-group-form");
  if (groupForm) {
    var template = groupForm.querySelector("[name=template]");
    var language = groupForm.querySelector("[name=language]");
    var showPlace = function () {
      var kind = groupForm.querySelector("[name=location_kind]:checked");
      var value = kind ? kind.value : "room";
      Array.prototype.forEach.call(groupForm.querySelectorAll("[data-pset-location]"), function (block) {
        block.hidden = block.getAttribute("data-pset-location") !== value;
      });
    };
    var showLanguages = function () {
      if (!template || !language) {
        return; // changing a group: the programme and language stay
      }
      var option = selectedOption(template);
      var offered = option && option.getAttribute("data-languages");
      if (!offered) {
        filterOptions(language, function () { return true; });
        return;
      }
      var codes = offered.split(",");
      filterOptions(language, function (o) { return codes.indexOf(o.value) !== -1; });
      if (!language.value && codes.length) {
        language.value = codes[0];
      }
    };
    // The facility is chosen only for a group in a prison.
    var showFacility = function () {
      var setting = groupForm.querySelector("[name=setting]:checked");
      var value = setting ? setting.value : "room";
      Array.prototype.forEach.call(groupForm.querySelectorAll("[data-pset-setting]"), function (block) {
        block.hidden = block.getAttribute("data-pset-setting") !== value;
      });
    };
    groupForm.addEventListener("change", function (event) {
      if (event.target.name === "setting") {
        showFacility();
      } else if (event.target.name === "location_kind") {
        showPlace();
      } else if (event.target === template) {
        showLanguages();
      }
    });
    showPlace();
    showFacility();
    showLanguages();
  }

  // --- Enrol: only the groups of the chosen programme; no group field for
  // a programme without group sessions.
  var enrolForm = document.getElementById("pset-enrol-form");
  if (enrolForm) {
    var programme = enrolForm.querySelector("[name=template]");
    var group = enrolForm.querySelector("[name=group]");
    var groupField = enrolForm.querySelector("[data-pset-group-field]");
    var showGroups = function () {
      var option = selectedOption(programme);
      var key = option && option.getAttribute("data-programme");
      if (groupField) {
        groupField.hidden = !!option && option.getAttribute("data-group-sessions") === "0";
        if (groupField.hidden) {
          group.value = "";
        }
      }
      filterOptions(group, function (o) { return !key || o.getAttribute("data-programme") === key; });
    };
    // The stay at a residential centre: only for a group there.
    var stay = enrolForm.querySelector("[data-pset-stay]");
    var showStay = function () {
      var option = selectedOption(group);
      if (stay) {
        stay.hidden = !(option && option.getAttribute("data-setting") === "residential");
        if (stay.hidden) {
          Array.prototype.forEach.call(stay.querySelectorAll("input, select"), function (field) {
            if (field.type === "checkbox") {
              field.checked = false;
            } else {
              field.value = "";
            }
          });
        }
      }
    };
    programme.addEventListener("change", function () {
      showGroups();
      showStay();
    });
    group.addEventListener("change", showStay);
    showGroups();
    showStay();
  }
})();
