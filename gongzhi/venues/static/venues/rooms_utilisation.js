// The utilisation page's bar chart (/venues/utilisation/): per venue, the hours booked stacked by whom they served
// (data from the #utilisation-data JSON; the table under it holds the same figures).
(function () {
  "use strict";
  var colors = ["#c8161d", "#e8890c", "#2f6fb0", "#9aa3ad"];
  function draw() {
    var data = document.getElementById("utilisation-data");
    var el = document.getElementById("utilisation-chart");
    if (!data || !el || !window.echarts) return;
    var chart = JSON.parse(data.textContent);
    el.style.height = Math.max(260, chart.names.length * 40 + 70) + "px";
    var c = window.echarts.init(el);
    c.setOption({
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { top: 0, type: "scroll" },
      xAxis: { type: "value", name: chart.unit, minInterval: 1 },
      yAxis: { type: "category", data: chart.names, inverse: true, axisLabel: { width: 110, overflow: "truncate" } },
      series: chart.series.map(function (s, i) {
        return { type: "bar", stack: "hours", name: s.name, data: s.data, barMaxWidth: 24,
                 itemStyle: { color: colors[i % colors.length] } };
      })
    });
    window.addEventListener("resize", function () { c.resize(); });
  }
  if (document.readyState === "complete") { draw(); } else { document.addEventListener("DOMContentLoaded", draw); }
})();
