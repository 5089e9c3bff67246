// The bar charts of /disputes/stats/ (data from the #dispute-stats-data JSON; the tables next to them hold the same
// figures).
(function () {
  "use strict";
  function bar(el, data) {
    var c = window.echarts.init(el);
    c.setOption({
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: data.label, data: data.counts, itemStyle: { color: "#c8161d" },
                 barMaxWidth: 32, label: { show: true, position: "top" } }]
    });
    window.addEventListener("resize", function () { c.resize(); });
  }
  function draw() {
    var source = document.getElementById("dispute-stats-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var kinds = document.getElementById("dispute-kind-chart");
    var outcomes = document.getElementById("dispute-outcome-chart");
    if (kinds) bar(kinds, data.kinds);
    if (outcomes) bar(outcomes, data.outcomes);
  }
  if (document.readyState === "complete") { draw(); } else { document.addEventListener("DOMContentLoaded", draw); }
})();
