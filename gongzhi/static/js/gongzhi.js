// Small behaviours on top of htmx: tree toggles that load children once, then just show/hide them;
// confirmations and auto-submitting filters. Pages carry no inline handlers (the content security policy forbids
// them): a form or submit button with data-confirm asks first, a field with data-autosubmit submits its form.
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
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm], input[type=submit][data-confirm]");
    if (!button || (button.form && button.form.hasAttribute("data-confirm"))) return;
    if (!window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  });
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.submit();
  });
})();
// A searchable list: typing in <input data-filter-input="ID"> hides the [data-filter-item]s inside #ID (options of a
// select, or labelled checkboxes) whose text does not contain what was typed, and the [data-filter-group]s left empty.
// Checked and selected items always stay visible.
(function () {
  "use strict";
  document.addEventListener("input", function (event) {
    var input = event.target.closest && event.target.closest("[data-filter-input]");
    if (!input) return;
    var list = document.getElementById(input.getAttribute("data-filter-input"));
    if (!list) return;
    var term = input.value.trim().toLowerCase();
    list.querySelectorAll("[data-filter-item]").forEach(function (item) {
      var box = item.querySelector && item.querySelector("input");
      var keep = !term || item.textContent.toLowerCase().indexOf(term) !== -1 || item.selected || (box && box.checked);
      item.hidden = !keep;
    });
    list.querySelectorAll("[data-filter-group]").forEach(function (group) {
      group.hidden = !group.querySelector("[data-filter-item]:not([hidden])");
    });
  });
})();
// The phone's navigation menu (<details data-nav-menu>) works without script; this closes it on a tap elsewhere
// and on Escape, as a menu does.
(function () {
  "use strict";
  function closeMenus(except) {
    document.querySelectorAll("details[data-nav-menu][open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest("details[data-nav-menu]"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenus(null);
  });
})();
