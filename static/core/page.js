/* Behaviours every page may ask for through data-* attributes, so no template needs an inline script or an
 * inline event handler (the content security policy allows scripts from this site's files only; see
 * docs/security.md):
 * - [data-print]         a button that prints the page;
 * - [data-auto-print]    present on the page: print it once it has loaded (?print=1 of a guide);
 * - [data-history-back]  a link that goes back one page (its href is the fallback without script);
 * - form[data-once]      one click, one submission: the idempotency key makes a repeat harmless, this
 *                        just says so at once (the buttons are disabled and show their data-busy text). */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
      return;
    }
    var back = target.closest("[data-history-back]");
    if (back && window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-once")) { return; }
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      window.setTimeout(function () {
        button.disabled = true;
        button.textContent = button.dataset.busy || button.textContent;
      }, 0);
    });
  });

  window.addEventListener("load", function () {
    if (document.querySelector("[data-auto-print]")) { window.print(); }
  });
})();
