/*
 * Almanac chart loader. No dependencies besides window.Plotly; no inline
 * script, no eval, so it runs under a strict CSP (script-src 'self').
 *
 * Markup:
 *   <div data-chart="fig-42" data-chart-error="Chart could not be shown."></div>
 *   <script type="application/json" id="fig-42">{"data": [...], "layout": {...}}</script>
 * (Django: {{ figure|json_script:"fig-42" }} writes the second element.)
 *
 * Charts are drawn on DOMContentLoaded and after every htmx swap
 * (htmx:afterSettle); a drawn element gets data-chart-drawn="1" and is
 * skipped afterwards. Charts removed by an htmx swap are purged.
 */
(function () {
  "use strict";

  var FONT_FAMILY =
    "Inter, -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', " +
    "'Noto Sans CJK SC', sans-serif";
  var TRANSPARENT = "rgba(0,0,0,0)";
  var MARGIN = { l: 48, r: 16, t: 24, b: 40 };
  // Plotly derives the modebar colours from paper_bgcolor; from a transparent
  // one it would draw a half-black bar with white icons. Keep its usual look.
  var MODEBAR = {
    bgcolor: TRANSPARENT,
    color: "rgba(68,68,68,0.35)",
    activecolor: "rgba(68,68,68,0.75)",
  };

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function isUnset(value) {
    return value === undefined || value === null || value === "";
  }

  // Fill in defaults the figure did not set itself; never overrides a set value.
  function withDefaults(layout) {
    var out = isObject(layout) ? layout : {};
    var font = isObject(out.font) ? out.font : {};
    if (isUnset(font.family)) {
      font.family = FONT_FAMILY;
    }
    out.font = font;
    if (isUnset(out.paper_bgcolor)) {
      out.paper_bgcolor = TRANSPARENT;
    }
    if (isUnset(out.plot_bgcolor)) {
      out.plot_bgcolor = TRANSPARENT;
    }
    var margin = isObject(out.margin) ? out.margin : {};
    Object.keys(MARGIN).forEach(function (side) {
      if (isUnset(margin[side])) {
        margin[side] = MARGIN[side];
      }
    });
    out.margin = margin;
    var modebar = isObject(out.modebar) ? out.modebar : {};
    if (isUnset(modebar.bgcolor)) {
      Object.keys(MODEBAR).forEach(function (key) {
        if (isUnset(modebar[key])) {
          modebar[key] = MODEBAR[key];
        }
      });
    }
    out.modebar = modebar;
    return out;
  }

  function plotConfig() {
    var lang = (document.documentElement.lang || "").toLowerCase();
    return {
      responsive: true,
      displaylogo: false,
      locale: lang.startsWith("zh") ? "zh-CN" : "en",
      modeBarButtonsToRemove: ["lasso2d", "select2d", "sendChartToCloud"],
      // plotly.js 4.x shows a "Share chart..." button by default that, after a
      // confirm dialog, hands the figure's data to cloud.plotly.com. Never here.
      showSendToCloud: false,
    };
  }

  function showError(el, detail) {
    if (detail && window.console) {
      window.console.error("charts.js:", detail, el);
    }
    el.textContent = el.getAttribute("data-chart-error") || "";
    el.setAttribute("data-chart-failed", "1");
  }

  function readFigure(el) {
    var id = el.getAttribute("data-chart");
    var source = id ? document.getElementById(id) : null;
    if (!source) {
      throw new Error("no figure element with id " + JSON.stringify(id));
    }
    var fig = JSON.parse(source.textContent);
    if (!isObject(fig)) {
      throw new Error("figure " + JSON.stringify(id) + " is not a JSON object");
    }
    return fig;
  }

  function draw(el) {
    if (!window.Plotly || typeof window.Plotly.newPlot !== "function") {
      // Not marked drawn: a later pass (e.g. after an htmx swap) may retry.
      showError(el, "window.Plotly is not loaded");
      return;
    }
    var fig;
    try {
      fig = readFigure(el);
    } catch (err) {
      showError(el, err);
      return;
    }
    if (el.getAttribute("data-chart-failed") === "1") {
      el.textContent = ""; // drop an earlier error message before drawing
      el.removeAttribute("data-chart-failed");
    }
    el.setAttribute("data-chart-drawn", "1");
    var data = Array.isArray(fig.data) ? fig.data : [];
    try {
      var result = window.Plotly.newPlot(el, data, withDefaults(fig.layout), plotConfig());
      if (result && typeof result.catch === "function") {
        result.catch(function (err) {
          showError(el, err);
        });
      }
    } catch (err) {
      showError(el, err);
    }
  }

  function render(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var nodes = scope.querySelectorAll("[data-chart]");
    if (scope !== document && scope.matches && scope.matches("[data-chart]")) {
      nodes = [scope].concat(Array.prototype.slice.call(nodes));
    }
    Array.prototype.forEach.call(nodes, function (el) {
      if (el.getAttribute("data-chart-drawn") !== "1") {
        draw(el);
      }
    });
  }

  function purge(event) {
    var el = event.target;
    if (
      el && el.getAttribute && el.getAttribute("data-chart-drawn") === "1" &&
      window.Plotly && typeof window.Plotly.purge === "function"
    ) {
      window.Plotly.purge(el);
    }
  }

  function start() {
    render(document);
    // After a swap, scan the whole document: cheap, and also catches charts
    // whose <script type="application/json"> arrived out of band.
    document.body.addEventListener("htmx:afterSettle", function () {
      render(document);
    });
    document.body.addEventListener("htmx:beforeCleanupElement", purge);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  window.AlmanacCharts = { render: render, withDefaults: withDefaults };
})();
