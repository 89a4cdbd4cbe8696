/* The item form's 添加材料 button: appends one more material form from the empty template (a Django formset's
 * __prefix__ form) and counts it in the management form. */
(function () {
  "use strict";

  function addMaterial() {
    var total = document.getElementById("id_materials-TOTAL_FORMS");
    var template = document.getElementById("material-template");
    var forms = document.getElementById("material-forms");
    if (!total || !template || !forms) { return; }
    var index = parseInt(total.value, 10);
    forms.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, index));
    total.value = index + 1;
  }

  function start() {
    var button = document.getElementById("add-material");
    if (button) { button.addEventListener("click", addMaterial); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
