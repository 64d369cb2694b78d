// The spend chart, on the spend page and the commissioner's home: the committed weekly spend at
// each month's end over the last 12 months. Reads its figures from the JSON the page embeds; the
// month table says the same. Its box sets its height (.app-chart--fixed), so it stays readable on
// a phone; money reads as people write it (£1,234.56), months short on the axis.
(function () {
  var canvas = document.getElementById("spend-chart");
  var source = document.getElementById("spend-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var money = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP" });
  var wholePounds = new Intl.NumberFormat("en-GB", {
    style: "currency", currency: "GBP", maximumFractionDigits: 0
  });
  // "December 2025" -> "Dec 2025" on the axis; the tooltip keeps the whole name.
  var short = data.labels.map(function (label) {
    var parts = label.split(" ");
    return parts.length === 2 ? parts[0].slice(0, 3) + " " + parts[1] : label;
  });
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: short,
      datasets: [{ label: "Committed weekly spend", data: data.pounds, backgroundColor: "#1d70b8" }]
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: {
        x: { ticks: { color: "#0b0c0c" } },
        y: {
          beginAtZero: true,
          title: { display: true, text: "£ a week", color: "#0b0c0c" },
          // Whole pounds on the axis: an empty chart reads £0 and £1, not £0.10 rounded to £0.
          ticks: { color: "#0b0c0c", precision: 0, callback: function (value) { return wholePounds.format(value); } }
        }
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: function (items) { return data.labels[items[0].dataIndex]; },
            label: function (item) { return "Committed weekly spend: " + money.format(item.parsed.y); }
          }
        }
      }
    }
  });
  canvas.setAttribute("data-rendered", "true");
})();
