// Bar chart of the ten hottest issues on /intelligence/hot/.
(function () {
  "use strict";
  function draw() {
    var data = document.getElementById("hot-chart-data");
    var el = document.getElementById("hot-chart");
    if (!data || !el || !window.echarts) return;
    var chart = JSON.parse(data.textContent);
    // As tall as the bars need (one or two hot issues should not fill a 300px panel).
    el.style.height = Math.min(300, 70 + 28 * chart.names.length) + "px";
    var c = window.echarts.init(el);
    c.setOption({
      grid: { left: 8, right: 40, top: 16, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", renderMode: "richText" },
      xAxis: { type: "value", name: chart.label },
      yAxis: { type: "category", inverse: true, data: chart.names },
      series: [{ type: "bar", data: chart.heat, itemStyle: { color: "#c8161d" }, barMaxWidth: 24,
                 label: { show: true, position: "right" } }]
    });
    window.addEventListener("resize", function () { c.resize(); });
  }
  if (document.readyState === "complete") { draw(); } else { document.addEventListener("DOMContentLoaded", draw); }
})();
