// Appeals pages: fill the answer from a reply template, draw the ranking charts.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-fill]");
    if (!select) return;
    var option = select.options[select.selectedIndex];
    var target = document.querySelector(select.getAttribute("data-fill"));
    if (target && option && option.getAttribute("data-body") && !target.value.trim()) {
      target.value = option.getAttribute("data-body");
    }
  });

  function bar(el, names, scores, label) {
    if (!el || !window.echarts || !names.length) return;
    var chart = window.echarts.init(el);
    chart.setOption({
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 4 ? 30 : 0 } },
      yAxis: { type: "value", max: 100, name: label },
      series: [{ type: "bar", data: scores, itemStyle: { color: "#c8161d" }, barMaxWidth: 40,
                 label: { show: true, position: "top" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawCharts() {
    var data = document.getElementById("rates-chart");
    if (!data) return;
    var chart = JSON.parse(data.textContent);
    bar(document.getElementById("chart-departments"), chart.departments.names, chart.departments.scores, chart.label);
    bar(document.getElementById("chart-subdistricts"), chart.subdistricts.names, chart.subdistricts.scores, chart.label);
  }

  // Deferred scripts run before DOMContentLoaded, so ECharts (also deferred) is there by then.
  if (document.readyState === "complete") {
    drawCharts();
  } else {
    document.addEventListener("DOMContentLoaded", drawCharts);
  }
})();
