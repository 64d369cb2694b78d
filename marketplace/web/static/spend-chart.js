// The spend chart: the committed weekly spend at each month's end over the last 12 months. Reads
// its figures from the JSON the page embeds; the table below says the same.
(function () {
  var canvas = document.getElementById("spend-chart");
  var source = document.getElementById("spend-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{ label: "Committed weekly spend (£)", data: data.pounds, backgroundColor: "#1d70b8" }]
    },
    options: {
      animation: false,
      scales: { y: { beginAtZero: true, title: { display: true, text: "£ a week" } } },
      plugins: { legend: { position: "bottom" } }
    }
  });
  canvas.setAttribute("data-rendered", "true");
})();
