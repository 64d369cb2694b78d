// Every chart on a page: each <canvas data-chart="ID"> reads its figures from the JSON block
// with that id (marketplace/web/charts.py: kind, labels, series, y_title, y_max, whole_numbers)
// and draws them with Chart.js. The table beside each chart gives the same figures.
(function () {
  if (typeof Chart === "undefined") return;
  // The page's own font and text colour, at a size that reads beside the tables.
  var text = document.querySelector(".govuk-body") || document.body;
  Chart.defaults.font.family = window.getComputedStyle(text).fontFamily;
  Chart.defaults.font.size = 14;
  Chart.defaults.color = "#0b0c0c";
  // GOV.UK colours, each series also told apart by its dash and point shape (not by colour alone).
  var colours = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#28a197", "#912b88", "#505a5f"];
  var dashes = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  var points = ["circle", "rect", "triangle", "rectRot", "star", "crossRot"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var line = data.kind === "line";
    // Shown only now: without script the table alone is the page.
    canvas.parentNode.hidden = false;
    canvas.parentNode.classList.add("app-chart--sized");
    var datasets = data.series.map(function (series, i) {
      var colour = colours[i % colours.length];
      return {
        label: series.label, data: series.values, backgroundColor: colour, borderColor: colour,
        borderDash: line ? dashes[i % dashes.length] : [], pointStyle: points[i % points.length],
        pointRadius: line ? 5 : 0, borderWidth: line ? 2 : 0, fill: false, spanGaps: false
      };
    });
    var y = { beginAtZero: true, title: { display: true, text: data.y_title } };
    if (data.y_max !== null) y.max = data.y_max;
    if (data.whole_numbers) y.ticks = { precision: 0 };
    new Chart(canvas, {
      type: data.kind,
      data: { labels: data.labels, datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: y },
        plugins: { legend: { position: "bottom", labels: { usePointStyle: line, boxHeight: 10 } } }
      }
    });
    canvas.setAttribute("data-rendered", "true");
  });
})();
