/* The supervision charts: every element [data-chart="<id>"] is drawn with ECharts (static/vendor/echarts/)
 * from the option in the json_script block of that id (built by yichuang/supervision/charts.py).
 *
 * - The option's "yichuang" key ({format: "count" | "percent", summary}) is taken out before setOption and
 *   gives the Chinese number formatting of tooltips and labels; the summary goes to the element's
 *   visually hidden caption ([data-chart-summary]).
 * - Once drawn, the element gets data-chart-ready="1" (the browser tests wait for it).
 * - Charts follow the window's size, and after an htmx swap (htmx:afterSettle) new elements are drawn and
 *   the charts whose element left the page are disposed.
 * - window.yichuangCharts.update(id, option) redraws one chart with a new option (the big screen's refresh).
 * No inline script anywhere: the page only holds data (issue 12, the content security policy). */
(function () {
  "use strict";

  var charts = []; // {el, chart}
  var numberFormat = new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 1 });

  function formatCount(value) {
    if (value === null || value === undefined || value === "-" || isNaN(value)) { return "—"; }
    if (Math.abs(value) >= 100000) { return numberFormat.format(value / 10000) + "万"; }
    return numberFormat.format(value);
  }

  function formatPercent(value) {
    if (value === null || value === undefined || value === "-" || isNaN(value)) { return "—"; }
    return numberFormat.format(value) + "%";
  }

  function formatter(format) { return format === "percent" ? formatPercent : formatCount; }

  function seriesLabelFormatter(format) {
    var fmt = formatter(format);
    return function (params) {
      var value = params.value;
      if (Array.isArray(value)) { value = value[value.length - 1]; }
      return value === null || value === undefined ? "" : fmt(value);
    };
  }

  /* Take the "yichuang" key out and install the formatters it asks for. */
  function prepare(option) {
    var meta = option.yichuang || {};
    delete option.yichuang;
    var fmt = formatter(meta.format);
    if (option.tooltip && typeof option.tooltip === "object" && !Array.isArray(option.tooltip)) {
      option.tooltip.valueFormatter = fmt;
      // Drawn on the canvas: the HTML tooltip's colour markers are style="" attributes, which the content
      // security policy refuses (docs/security.md).
      option.tooltip.renderMode = "richText";
    }
    (option.series || []).forEach(function (series) {
      if (series.type === "bar" && series.label && series.label.show) {
        series.label.formatter = seriesLabelFormatter(meta.format);
      }
    });
    return meta;
  }

  function optionOf(el) {
    var block = document.getElementById(el.getAttribute("data-chart"));
    if (!block) { return null; }
    try { return JSON.parse(block.textContent); } catch (error) { return null; }
  }

  function applyHeight(el) {
    var height = el.getAttribute("data-chart-height");
    if (height && !el.style.height) { el.style.height = /^\d+$/.test(height) ? height + "px" : height; }
  }

  function setSummary(el, meta) {
    if (!meta.summary || !el.id) { return; }
    var caption = document.querySelector('[data-chart-summary="' + el.id + '"]');
    if (caption) { caption.textContent = meta.summary; }
  }

  function find(el) {
    for (var i = 0; i < charts.length; i++) { if (charts[i].el === el) { return charts[i]; } }
    return null;
  }

  function draw(el, option) {
    var entry = find(el);
    if (!entry) {
      applyHeight(el);
      entry = { el: el, chart: window.echarts.init(el, el.getAttribute("data-chart-theme") || null) };
      charts.push(entry);
    }
    var meta = prepare(option);
    entry.chart.setOption(option, { notMerge: false, lazyUpdate: false });
    setSummary(el, meta);
    el.setAttribute("data-chart-ready", "1");
    return entry.chart;
  }

  /* Dispose the charts whose element is no longer in the page (replaced by an htmx swap). */
  function sweep() {
    charts = charts.filter(function (entry) {
      if (document.body.contains(entry.el)) { return true; }
      entry.chart.dispose();
      return false;
    });
  }

  function init(root) {
    if (!window.echarts) { return; }
    sweep();
    var scope = root && root.querySelectorAll ? root : document;
    var elements = Array.prototype.slice.call(scope.querySelectorAll("[data-chart]"));
    if (scope !== document && scope.matches && scope.matches("[data-chart]")) { elements.push(scope); }
    elements.forEach(function (el) {
      if (find(el)) { return; }
      var option = optionOf(el);
      if (option) { draw(el, option); }
    });
  }

  function update(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) { return null; }
    return draw(el, option);
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      charts.forEach(function (entry) { entry.chart.resize(); });
    }, 100);
  });

  document.addEventListener("htmx:afterSettle", function (event) { init(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }

  window.yichuangCharts = {
    init: init,
    update: update,
    resize: function () { charts.forEach(function (entry) { entry.chart.resize(); }); },
    formatCount: formatCount,
    formatPercent: formatPercent
  };
})();
