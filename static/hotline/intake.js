/* The 12345 intake screen:
 * - the knowledge panel's live search sends what the operator is typing (q) and the chosen category with
 *   each htmx request (no hx-vals "js:" expression: the content security policy forbids eval);
 * - a [data-accept-category] button fills the category select;
 * - a knowledge-base answer's button (event "knowledge-used") fills the direct answer. */
(function () {
  "use strict";

  function valueOf(id) {
    var field = document.getElementById(id);
    return field ? field.value : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || elt.id !== "knowledge-panel") { return; }
    event.detail.parameters.q = valueOf("id_content");
    event.detail.parameters.category = valueOf("id_category");
  });

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-accept-category]") : null;
    if (!button) { return; }
    var select = document.getElementById("id_category");
    if (!select) { return; }
    select.value = button.getAttribute("data-accept-category");
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });

  document.addEventListener("knowledge-used", function (event) {
    var reply = document.getElementById("id_reply");
    if (reply && event.detail && event.detail.answer) { reply.value = event.detail.answer; }
  });
})();
