// Work-order KPI page: the distribution of ratings (1–5 stars) of each group as a bar chart.
(function () {
  "use strict";
  const gettext = window.gettext || function (s) { return s; };
  const data = JSON.parse(document.getElementById("kpi-chart-data").textContent);
  Object.keys(data).forEach(function (name) {
    const canvas = document.getElementById("chart-" + name);
    if (!canvas || !window.Chart) { return; }
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: ["★", "★★", "★★★", "★★★★", "★★★★★"],
        datasets: [{ label: gettext("Ratings"), data: data[name], backgroundColor: "#f0ad4e" }],
      },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  });
})();
