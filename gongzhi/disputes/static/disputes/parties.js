// The dispute form: "add a party" shows the next hidden party row (no inline scripts: CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-party]");
    if (!button) { return; }
    var next = document.querySelector("fieldset.party-row[hidden]");
    if (next) {
      next.hidden = false;
      var name = next.querySelector("input[name$='-name']");
      if (name) { name.focus(); }
    }
    if (!document.querySelector("fieldset.party-row[hidden]")) { button.hidden = true; }
  });
})();
