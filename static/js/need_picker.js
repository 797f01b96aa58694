// Needs on the idea form: add need forms, and pick each need's asset from catalogue search
// results (htmx fetches the results; this only wires the buttons).
(function () {
  "use strict";

  function picker(el) {
    return el.closest(".need-picker");
  }

  function pick(button) {
    var box = picker(button);
    if (!box) return;
    // A need's fields are "needs-N-asset_type"; the ODCS import's are plain "asset_type".
    box.querySelector('input[name$="asset_type"]').value = button.dataset.assetType;
    var assetId = box.querySelector('input[name$="asset_id"]');
    assetId.value = button.dataset.assetId;
    // Hidden inputs fire no events of their own: tell the form (and its ROI preview).
    assetId.dispatchEvent(new Event("change", { bubbles: true }));
    box.querySelector(".picked-label").textContent = button.dataset.label;
    box.querySelectorAll(".asset-result.picked-result").forEach(function (li) {
      li.classList.remove("picked-result");
    });
    var item = button.closest(".asset-result");
    if (item) item.classList.add("picked-result");
    box.classList.remove("has-error");
  }

  function searchTier(button) {
    var box = picker(button);
    if (!box) return;
    var select = box.querySelector(".picker-tier");
    select.value = button.dataset.tier;
    window.htmx.trigger(select, "change");
  }

  function addNeed() {
    var total = document.getElementById("id_needs-TOTAL_FORMS");
    var template = document.getElementById("need-template");
    var index = parseInt(total.value, 10);
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var form = holder.firstElementChild;
    document.getElementById("need-forms").appendChild(form);
    total.value = String(index + 1);
    if (window.htmx) window.htmx.process(form);
    var name = form.querySelector('input[name$="-name"]');
    if (name) name.focus();
    return form;
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var pickButton = target.closest(".pick");
    if (pickButton) {
      pick(pickButton);
      return;
    }
    var next = target.closest(".picker-next");
    if (next) {
      searchTier(next);
      return;
    }
    if (target.closest("#add-need")) addNeed();
    var clear = target.closest(".picker-clear");
    if (clear) {
      var box = picker(clear);
      box.querySelector('input[name$="asset_type"]').value = "";
      box.querySelector('input[name$="asset_id"]').value = "";
      box.querySelector(".picked-label").textContent = "no asset yet";
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.getElementById("need-forms");
    if (forms && !forms.querySelector(".need-form")) addNeed();
    // A new idea starts with an empty need whose name should not steal focus from the title.
    var title = document.getElementById("id_title");
    if (title && !title.value) title.focus();
  });
})();
