// Every chart on a page: each <canvas data-chart="ID"> reads its figures from the JSON block
// with that id (marketplace/web/charts.py: kind, labels, series, y_title, unit, titles, legend)
// and draws them with Chart.js. The table beside each chart gives the same figures.
(function () {
  if (typeof Chart === "undefined") return;
  // The page's own font and text colour (ticks, titles and key dark, not Chart.js's grey), at a
  // size that reads beside the tables.
  var text = document.querySelector(".govuk-body") || document.body;
  Chart.defaults.font.family = window.getComputedStyle(text).fontFamily;
  Chart.defaults.font.size = 14;
  Chart.defaults.color = "#0b0c0c";
  // GOV.UK colours, each series also told apart by its dash and point shape (not by colour alone).
  var colours = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#28a197", "#912b88", "#505a5f"];
  var dashes = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  var points = ["circle", "rect", "triangle", "rectRot", "star", "crossRot"];
  // Numbers as people write them: £1,234.56 in a tooltip, whole pounds on the axis, 87.5%.
  var money = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP" });
  var wholePounds = new Intl.NumberFormat("en-GB", {
    style: "currency", currency: "GBP", maximumFractionDigits: 0
  });
  var number = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 });
  var units = {
    money: { tick: function (v) { return wholePounds.format(v); }, value: function (v) { return money.format(v); } },
    percentage: { tick: function (v) { return number.format(v) + "%"; }, value: function (v) { return number.format(v) + "%"; } },
    count: { tick: function (v) { return number.format(v); }, value: function (v) { return number.format(v); } },
    minutes: { tick: function (v) { return number.format(v); }, value: function (v) { return number.format(v) + " minutes"; } }
  };
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var line = data.kind === "line";
    var unit = units[data.unit] || units.count;
    // Shown only now: without script the table alone is the page.
    canvas.parentNode.hidden = false;
    var datasets = data.series.map(function (series, i) {
      var colour = colours[i % colours.length];
      return {
        label: series.label, data: series.values, backgroundColor: colour, borderColor: colour,
        borderDash: line ? dashes[i % dashes.length] : [], pointStyle: points[i % points.length],
        pointRadius: line ? 5 : 0, pointHoverRadius: line ? 7 : 0, borderWidth: line ? 2 : 0,
        fill: false, spanGaps: false,
        clip: false  // a point at the axis's top (100%, the highest count) drawn whole
      };
    });
    // Ticks only at whole numbers (whole pounds): an empty chart reads 0 and 1, not 0, 0, 1.
    var y = {
      beginAtZero: true,
      title: { display: true, text: data.y_title },
      ticks: { precision: 0, callback: unit.tick }
    };
    if (data.unit === "percentage") y.max = 100;
    new Chart(canvas, {
      type: data.kind,
      data: { labels: data.labels, datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        // Pointing anywhere over a quarter or month shows every series' value there.
        interaction: { mode: "index", intersect: false },
        // A line's first and last points half a step in from the chart's sides, as bars are.
        layout: { padding: { top: 6 } },
        scales: { x: { offset: true }, y: y },
        plugins: {
          legend: {
            display: data.legend, position: "bottom", labels: { usePointStyle: line, boxHeight: 10 }
          },
          tooltip: {
            callbacks: {
              title: function (items) {
                return (data.titles || data.labels)[items[0].dataIndex];
              },
              label: function (item) {
                return item.dataset.label + ": " + unit.value(item.parsed.y);
              }
            }
          }
        }
      }
    });
    canvas.setAttribute("data-rendered", "true");
  });
})();
