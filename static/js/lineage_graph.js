// Draws each lineage graph on the page with cytoscape.js (vendored, served locally).
// The data comes from a json_script element named by the container's data-graph attribute:
// positions are computed by the server (tiers as columns), so the drawing never reflows.
(function () {
  "use strict";

  var READABLE_ZOOM = 0.55;

  var STYLE = [
    {
      selector: "node",
      style: {
        shape: "round-rectangle",
        width: 190,
        height: 44,
        "background-color": "#ffffff",
        "border-width": 2,
        "border-color": "#5b6477",
        label: "data(label)",
        color: "#1d2433",
        "font-size": 12,
        "text-wrap": "ellipsis",
        "text-max-width": 176,
        "text-valign": "center",
        "text-halign": "center",
      },
    },
    {
      selector: "node[?available]",
      style: { "background-color": "#dcf3e8", "border-color": "#1b7f46" },
    },
    {
      selector: "node[?charged]",
      style: { "background-color": "#fde2e0", "border-color": "#b42318", "border-width": 3 },
    },
    {
      // a double border keeps the charged / available colour of what was asked for
      selector: "node[?root]",
      style: { "border-width": 7, "border-style": "double" },
    },
    {
      selector: "node[kind = 'idea']",
      style: { "background-color": "#fff8d6", "border-color": "#1d2433", shape: "round-tag" },
    },
    {
      selector: "edge",
      style: {
        width: 2,
        "line-color": "#5b6477",
        "target-arrow-color": "#5b6477",
        "target-arrow-shape": "triangle",
        "curve-style": "bezier",
        label: "data(label)",
        "font-size": 10,
        color: "#1d2433",
        "text-background-color": "#ffffff",
        "text-background-opacity": 1,
        "text-rotation": "autorotate",
      },
    },
    {
      selector: ".faded",
      style: { opacity: 0.25 },
    },
  ];

  function elementsOf(data) {
    var nodes = data.nodes.map(function (node) {
      var suffix = node.tier ? " (tier " + node.tier + ")" : " (idea)";
      return {
        group: "nodes",
        data: {
          id: node.id,
          label: node.name + suffix,
          kind: node.asset_type || "idea",
          charged: node.charged,
          available: node.available,
          root: node.root,
          url: node.url,
        },
        position: node.position,
      };
    });
    var edges = data.edges.map(function (edge) {
      return {
        group: "edges",
        data: { id: edge.id, source: edge.source, target: edge.target, label: edge.label },
      };
    });
    return nodes.concat(edges);
  }

  function draw(container) {
    var source = document.getElementById(container.dataset.graph);
    if (!source || typeof window.cytoscape !== "function") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var cy = window.cytoscape({
      container: container,
      elements: elementsOf(data),
      style: STYLE,
      layout: { name: "preset", fit: true, padding: 24 },
      minZoom: 0.2,
      maxZoom: 2.5,
      wheelSensitivity: 0.3,
      boxSelectionEnabled: false,
      autoungrabify: true,
    });
    // Hovering (or tapping) an asset brings out its lineage; a double tap opens its page.
    cy.on("mouseover tap", "node", function (event) {
      var near = event.target.closedNeighborhood().union(event.target.predecessors()).union(
        event.target.successors()
      );
      cy.elements().addClass("faded");
      near.removeClass("faded");
    });
    cy.on("mouseout", "node", function () {
      cy.elements().removeClass("faded");
    });
    cy.on("dbltap", "node", function (event) {
      var url = event.target.data("url");
      if (url) {
        window.location.assign(url);
      }
    });
    // On a phone a wide graph fitted whole is too small to read: start readable at the
    // downstream end (the idea, tier 1) and let the reader drag or pinch to the rest.
    if (cy.zoom() < READABLE_ZOOM) {
      var rightmost = cy.nodes().max(function (node) {
        return node.position("x");
      }).ele;
      cy.zoom(READABLE_ZOOM);
      cy.center(rightmost);
      // its right edge near the container's: as much upstream in view as fits
      cy.panBy({ x: container.clientWidth / 2 - 16 - 95 * READABLE_ZOOM, y: 0 });
    }
    container.dataset.drawn = String(cy.nodes().length);
    window.addEventListener("resize", function () {
      cy.resize();
      cy.fit(undefined, 24);
    });
  }

  function drawAll(containers) {
    for (var i = 0; i < containers.length; i += 1) {
      draw(containers[i]);
    }
  }

  // cytoscape (440 kB) once, then every graph on the page.
  function loadCytoscape(url, containers) {
    var script = document.createElement("script");
    script.src = url;
    script.onload = function () {
      drawAll(containers);
    };
    document.head.appendChild(script);
  }

  function start() {
    var containers = document.querySelectorAll(".lineage-graph[data-graph]");
    var url = containers.length && containers[0].dataset.cytoscape;
    if (typeof window.cytoscape === "function" || !url) {
      drawAll(containers);
      return;
    }
    // A page where the graph lies below other content (the idea page) fetches cytoscape
    // only when the graph nears the screen: its download and start-up do not hold back
    // what is drawn above it.
    if (!("IntersectionObserver" in window)) {
      loadCytoscape(url, containers);
      return;
    }
    var observer = new IntersectionObserver(
      function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          observer.disconnect();
          loadCytoscape(url, containers);
        }
      },
      { rootMargin: "400px 0px" }
    );
    for (var i = 0; i < containers.length; i += 1) {
      observer.observe(containers[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
