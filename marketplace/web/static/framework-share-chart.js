// The framework share chart: each month's share of hours placed through the framework against
// the commissioner's target. Reads its figures from the JSON the page embeds; the table below
// says the same.
(function () {
  var canvas = document.getElementById("share-chart");
  var source = document.getElementById("share-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: "Share placed through the framework (%)", data: data.shares, backgroundColor: "#1d70b8" },
        {
          type: "line", label: "Target (" + data.target + "%)",
          data: data.labels.map(function () { return data.target; }),
          borderColor: "#d4351c", borderDash: [6, 4], pointRadius: 0, borderWidth: 2, fill: false
        }
      ]
    },
    options: {
      animation: false,
      scales: { y: { beginAtZero: true, max: 100, title: { display: true, text: "% of hours placed" } } },
      plugins: { legend: { position: "bottom" } }
    }
  });
  canvas.setAttribute("data-rendered", "true");
})();
