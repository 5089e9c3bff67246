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

  // Long Chinese unit names: the grid keeps the labels inside (containLabel), each label is cut to a fixed
  // width with an ellipsis (the tooltip shows the whole name), and many bars turn their labels.
  function bar(el, data, label, unrankedLabel) {
    var names = data.names || [];
    if (!el || !window.echarts || !names.length) return;
    var chart = window.echarts.init(el);
    var many = names.length > 4;
    var narrow = el.clientWidth < 560;
    var width = Math.max(48, Math.min(120, Math.floor((el.clientWidth - 60) / names.length) - 8));
    var scores = (data.scores || []).map(function (value, i) {
      var ranked = !data.ranked || data.ranked[i];
      return { value: value, itemStyle: { color: ranked ? "#c8161d" : "#c0c4cc" } };
    });
    chart.setOption({
      grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis", renderMode: "richText",
        formatter: function (params) {
          var p = params[0], i = p.dataIndex;
          var line = p.name + "\n" + label + ": " + p.value;
          if (data.follow_ups) line += " (" + data.follow_ups[i] + ")";
          if (data.ranked && !data.ranked[i]) line += "\n" + unrankedLabel;
          return line;
        }
      },
      xAxis: {
        type: "category", data: names,
        axisLabel: { interval: 0, rotate: many || narrow ? 35 : 0, width: many || narrow ? 120 : width,
                     overflow: "truncate", ellipsis: "…", hideOverlap: false }
      },
      yAxis: { type: "value", max: 100, name: label },
      series: [{ type: "bar", data: scores, barMaxWidth: 40, label: { show: true, position: "top" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawCharts() {
    var data = document.getElementById("rates-chart");
    if (!data) return;
    var chart = JSON.parse(data.textContent);
    bar(document.getElementById("chart-departments"), chart.departments, chart.label, chart.unranked);
    bar(document.getElementById("chart-subdistricts"), chart.subdistricts, chart.label, chart.unranked);
  }

  // Deferred scripts run before DOMContentLoaded, so ECharts (also deferred) is there by then.
  if (document.readyState === "complete") {
    drawCharts();
  } else {
    document.addEventListener("DOMContentLoaded", drawCharts);
  }
})();
