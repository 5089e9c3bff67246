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
  // A select with data-fill="#textarea": choosing an option whose data-body is set writes that text into the field.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-fill]");
    if (!select) return;
    var option = select.options[select.selectedIndex];
    var target = document.querySelector(select.getAttribute("data-fill"));
    if (target && option && option.hasAttribute("data-body")) target.value = option.getAttribute("data-body");
  });
  // A button with data-copy="#element": copies that element's text, and says so in the button for a moment.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    var text = (source.value || source.textContent || "").trim();
    var label = button.textContent;
    var done = function () {
      button.textContent = button.getAttribute("data-copied") || label;
      window.setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { selectText(source); });
    } else {
      selectText(source);
      try { if (document.execCommand("copy")) done(); } catch (e) { /* the text stays selected */ }
    }
    event.preventDefault();
  });
  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
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
