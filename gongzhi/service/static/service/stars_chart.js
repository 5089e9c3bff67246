// The star distribution's bar chart on /service/stars/ and the community's public page (data from the
// #star-distribution JSON; the table next to it holds the same figures).
(function () {
  "use strict";
  function draw() {
    var data = document.getElementById("star-distribution");
    var el = document.getElementById("star-chart");
    if (!data || !el || !window.echarts) return;
    var chart = JSON.parse(data.textContent);
    var c = window.echarts.init(el);
    c.setOption({
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "category", data: chart.names },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", name: chart.label, data: chart.counts, itemStyle: { color: "#c8161d" },
                 barMaxWidth: 36, label: { show: true, position: "top" } }]
    });
    window.addEventListener("resize", function () { c.resize(); });
  }
  if (document.readyState === "complete") { draw(); } else { document.addEventListener("DOMContentLoaded", draw); }
})();
