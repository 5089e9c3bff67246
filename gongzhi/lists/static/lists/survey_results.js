// Bar charts of a survey's choice questions on /lists/surveys/<id>/results/ (data from the #survey-charts JSON).
(function () {
  "use strict";
  function draw() {
    var data = document.getElementById("survey-charts");
    if (!data || !window.echarts) return;
    var charts = JSON.parse(data.textContent);
    var made = [];
    charts.forEach(function (chart) {
      var el = document.getElementById(chart.id);
      if (!el) return;
      el.style.height = Math.min(360, 60 + 34 * chart.names.length) + "px";
      var series = [{ type: "bar", name: chart.label, data: chart.counts, itemStyle: { color: "#c8161d" },
                      barMaxWidth: 22, label: { show: true, position: "right" } }];
      if (chart.first) {
        series.push({ type: "bar", name: chart.first_label, data: chart.first, itemStyle: { color: "#e8890c" },
                      barMaxWidth: 22, label: { show: true, position: "right" } });
      }
      var c = window.echarts.init(el);
      c.setOption({
        grid: { left: 8, right: 40, top: chart.first ? 28 : 10, bottom: 8, containLabel: true },
        legend: chart.first ? { top: 0 } : undefined,
        tooltip: { trigger: "axis", renderMode: "richText" },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: chart.names,
                 axisLabel: { width: 150, overflow: "truncate" } },
        series: series
      });
      made.push(c);
    });
    window.addEventListener("resize", function () { made.forEach(function (c) { c.resize(); }); });
  }
  if (document.readyState === "complete") { draw(); } else { document.addEventListener("DOMContentLoaded", draw); }
})();
