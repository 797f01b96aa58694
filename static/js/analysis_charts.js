// Renders analysis figures built server side (valuechain/charts/analysis.py) with the local
// plotly.js: every element with data-figure="<json_script id>", on load and after htmx swaps.
(function () {
  "use strict";
  function render(root) {
    if (!window.Plotly) return;
    (root || document).querySelectorAll("[data-figure]").forEach(function (holder) {
      var data = document.getElementById(holder.getAttribute("data-figure"));
      if (!data || holder.getAttribute("data-rendered") === data.textContent.length + "") return;
      var figure = JSON.parse(data.textContent);
      window.Plotly.newPlot(holder, figure.data, figure.layout, {
        responsive: true,
        displaylogo: false,
      });
      holder.setAttribute("data-rendered", data.textContent.length + "");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { render(document); });
  document.addEventListener("htmx:afterSettle", function (event) { render(event.target); });
  // Forms answer 400 with their errors shown: swap those in like any other answer.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 400) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
