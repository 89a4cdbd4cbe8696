/* The printed ticket: the 打印 button, automatic printing on a kiosk that asks for it, and the way back
   to the kiosk after a while so the next visitor finds it ready. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var page = document.querySelector("[data-ticket-page]");
    if (!page) { return; }
    var button = document.querySelector("[data-print]");
    if (button) { button.addEventListener("click", function () { window.print(); }); }
    if (page.dataset.autoprint === "1") { setTimeout(function () { window.print(); }, 300); }
    var back = page.dataset.backUrl;
    var seconds = Number(page.dataset.backSeconds || 0);
    if (back && seconds > 0) { setTimeout(function () { window.location.href = back; }, seconds * 1000); }
  });
})();
