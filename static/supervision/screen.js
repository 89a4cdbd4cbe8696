/* The hall's big screen (大屏): scales the 1920×1080 stage to the display, keeps the clock, and every
 * data-refresh-seconds (60 by default) fetches data-screen-data-url (JSON from screen.py) and redraws the
 * figures ([data-figure="<key>"]) and charts (window.yichuangCharts.update) in place — no reload, so the
 * layout never moves. After each refresh the stage's data-refreshed-at and data-refresh-count change
 * (the browser tests wait for them). When the data cannot be fetched the last figures stay, with a note. */
(function () {
  "use strict";
  var WIDTH = 1920, HEIGHT = 1080;
  var WEEK = ["日", "一", "二", "三", "四", "五", "六"];

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function fit(stage) {
    var scale = Math.min(window.innerWidth / WIDTH, window.innerHeight / HEIGHT);
    var left = Math.max(0, (window.innerWidth - WIDTH * scale) / 2);
    var top = Math.max(0, (window.innerHeight - HEIGHT * scale) / 2);
    stage.style.transform = "translate(" + left + "px, " + top + "px) scale(" + scale + ")";
  }

  function tick() {
    var now = new Date();
    var time = pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
    var date = now.getFullYear() + "年" + (now.getMonth() + 1) + "月" + now.getDate() + "日 星期" + WEEK[now.getDay()];
    document.querySelectorAll("[data-clock]").forEach(function (el) { el.textContent = time; });
    document.querySelectorAll("[data-clock-date]").forEach(function (el) { el.textContent = date; });
  }

  function apply(stage, payload) {
    var figures = payload.figures || {};
    Object.keys(figures).forEach(function (key) {
      document.querySelectorAll('[data-figure="' + key + '"]').forEach(function (el) {
        if (el.textContent !== figures[key].text) { el.textContent = figures[key].text; }
      });
    });
    var charts = payload.charts || {};
    if (window.yichuangCharts) {
      Object.keys(charts).forEach(function (id) { window.yichuangCharts.update(id, charts[id]); });
    }
    var updated = document.querySelector("[data-screen-updated]");
    if (updated && payload.generated_at) { updated.textContent = payload.generated_at.slice(11, 19); }
    stage.setAttribute("data-refreshed-at", payload.generated_at || "");
    stage.setAttribute("data-refresh-count", String(Number(stage.getAttribute("data-refresh-count") || 0) + 1));
  }

  function stale(flag) {
    var note = document.querySelector("[data-screen-stale-note]");
    if (note) { note.hidden = !flag; }
  }

  function start(stage) {
    var url = stage.getAttribute("data-screen-data-url");
    var seconds = Math.max(1, Number(stage.getAttribute("data-refresh-seconds")) || 60);
    function schedule() { setTimeout(refresh, seconds * 1000); }
    function refresh() {
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (payload) { apply(stage, payload); stale(false); })
        .catch(function () { stale(true); })
        .then(schedule);
    }
    schedule();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var stage = document.querySelector("[data-screen]");
    if (!stage) { return; }
    fit(stage);
    window.addEventListener("resize", function () { fit(stage); });
    tick();
    setInterval(tick, 1000);
    start(stage);
  });
})();
