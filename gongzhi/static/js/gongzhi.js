// Small behaviours on top of htmx: tree toggles that load children once, then just show/hide them.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.toggle[data-loaded]");
    if (!button) return;
    var target = document.getElementById(button.getAttribute("aria-controls"));
    if (!target) return;
    var open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    button.textContent = open ? "+" : "−";
    target.hidden = open;
    event.preventDefault();
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var button = event.detail.elt;
    if (button && button.matches && button.matches("button.toggle") && event.detail.successful) {
      button.setAttribute("aria-expanded", "true");
      button.setAttribute("data-loaded", "");
      button.removeAttribute("hx-get");
      button.textContent = "−";
    }
  });
})();
