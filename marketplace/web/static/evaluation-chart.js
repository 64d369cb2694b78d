// The evaluation chart: each bid's hourly rate against the maximum rate and the envelope.
// Reads its figures (pence) from the JSON the page embeds; the table beside it says the same.
(function () {
  var canvas = document.getElementById("rates-chart");
  var source = document.getElementById("chart-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var pounds = function (pence) { return pence === null ? null : pence / 100; };
  var colours = data.rates.map(function (_, i) {
    if (data.winners[i]) return "#00703c";
    return data.compliant[i] ? "#1d70b8" : "#b1b4b6";
  });
  var line = function (label, pence, colour, dash) {
    return {
      type: "line", label: label, data: data.labels.map(function () { return pounds(pence); }),
      borderColor: colour, borderDash: dash, pointRadius: 0, borderWidth: 2, fill: false
    };
  };
  var datasets = [{ type: "bar", label: "Hourly rate", data: data.rates.map(pounds), backgroundColor: colours }];
  datasets.push(line("Maximum rate", data.max_rate, "#d4351c", [6, 4]));
  if (data.envelope_rate !== null) datasets.push(line("Envelope (as an hourly rate)", data.envelope_rate, "#f47738", [2, 3]));
  new Chart(canvas, {
    data: { labels: data.labels, datasets: datasets },
    options: {
      animation: false,
      scales: { y: { beginAtZero: true, title: { display: true, text: "£ an hour" } } },
      plugins: { legend: { position: "bottom" } }
    }
  });
  canvas.setAttribute("data-rendered", "true");
})();
