// The top bar on narrow screens: the links fold behind a "Menu" button. Without this script
// (or before it runs) they simply wrap onto more lines, so the site stays usable.
(function () {
  // A table wider than a phone scrolls inside its .table-wrap: keyboard users reach that
  // scroll by focusing it (WCAG 2.1.1), so a wrap that scrolls joins the tab order.
  function focusableScrolls() {
    document.querySelectorAll(".table-wrap, main table").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth) {
        wrap.setAttribute("tabindex", "0");
      } else if (wrap.getAttribute("tabindex") === "0") {
        wrap.removeAttribute("tabindex");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", focusableScrolls);
  window.addEventListener("resize", focusableScrolls);
  document.addEventListener("htmx:afterSettle", focusableScrolls);

  var button = document.querySelector(".nav-toggle");
  var menu = document.getElementById("site-menu");
  if (!button || !menu) {
    return;
  }
  document.documentElement.classList.add("nav-js");
  button.hidden = false;
  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("open", open);
  }
  button.addEventListener("click", function () {
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      button.focus();
    }
  });
})();
