/* The console's own script: loaded from our static files (CSP forbids inline script).
 * - htmx swaps 4xx answers too, so a partial can show the service's error message in place
 *   (a view renders console/partials/error.html with the status the service chose).
 * - <form data-confirm="…"> asks before a plain (non-htmx) submit; htmx requests use hx-confirm.
 * - Charts: <div class="chart" data-chart="ID"></div> plus the option as data,
 *   {{ option|json_script:"ID" }} in the template, on a page that loads ECharts
 *   ({% vendor_script "echarts.min.js" %} in {% block head %}). Drawn on load and after htmx swaps.
 *   Tooltips draw on the canvas (renderMode richText): ECharts' HTML tooltips write style="…",
 *   which the CSP blocks.
 */
(function () {
  "use strict";

  function drawCharts(root) {
    if (!window.echarts) {
      return;
    }
    root.querySelectorAll("[data-chart]").forEach(function (box) {
      var source = document.getElementById(box.getAttribute("data-chart"));
      if (!source) {
        return;
      }
      var option = JSON.parse(source.textContent);
      if (option.tooltip) {
        option.tooltip = Object.assign({}, option.tooltip, { renderMode: "richText" });
      }
      var chart = window.echarts.getInstanceByDom(box) || window.echarts.init(box);
      chart.setOption(option, true);
    });
  }

  window.fieldscoreConsole = { drawCharts: drawCharts };

  if (window.htmx) {
    window.htmx.onLoad(drawCharts);
  }
  window.addEventListener("resize", function () {
    if (!window.echarts) {
      return;
    }
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      var chart = window.echarts.getInstanceByDom(box);
      if (chart) {
        chart.resize();
      }
    });
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400 && status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form instanceof HTMLFormElement ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
