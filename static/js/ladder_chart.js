// Renders the ladder figure built server side (valuechain/charts/ideas.py) with the local plotly.js.
(function () {
  "use strict";
  function render() {
    var holder = document.getElementById("ladder-chart");
    var data = document.getElementById("ladder-chart-data");
    if (!holder || !data || !window.Plotly) return;
    var figure = JSON.parse(data.textContent);
    window.Plotly.newPlot(holder, figure.data, figure.layout, {
      responsive: true,
      displaylogo: false,
    });
  }
  // A deferred script runs once the page is parsed: draw the ladder, the page's first chart,
  // right away instead of after the charts further down (drawn on DOMContentLoaded).
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
