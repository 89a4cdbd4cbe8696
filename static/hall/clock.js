/* The hall screens' clock: every [data-clock] shows the local date and time, updated each second. */
(function () {
  "use strict";
  var WEEK = ["日", "一", "二", "三", "四", "五", "六"];
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var now = new Date();
    var text = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()) +
      " 星期" + WEEK[now.getDay()] + " " + pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
    var clocks = document.querySelectorAll("[data-clock]");
    for (var i = 0; i < clocks.length; i++) { clocks[i].textContent = text; }
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
