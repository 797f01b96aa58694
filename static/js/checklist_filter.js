// Long lists of checkboxes (the portfolio's must include / must exclude): a filter box that
// hides the choices whose text does not match, and a count of what is ticked. Without this
// script every choice is listed and can be ticked as usual.
(function () {
  "use strict";

  function update(set) {
    var ticked = set.querySelectorAll('input[type="checkbox"]:checked').length;
    var count = set.querySelector(".checklist-count");
    if (count) count.textContent = ticked ? "(" + ticked + " ticked)" : "";
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".checklist").forEach(function (set) {
      var filter = set.querySelector(".checklist-filter");
      if (filter) {
        filter.hidden = false;
        filter.addEventListener("input", function () {
          var wanted = filter.value.trim().toLowerCase();
          set.querySelectorAll(".checklist-box label").forEach(function (label) {
            var row = label.parentElement;
            row.hidden = wanted !== "" && label.textContent.toLowerCase().indexOf(wanted) === -1;
          });
        });
      }
      set.addEventListener("change", function () {
        update(set);
      });
      update(set);
    });
  });
})();
