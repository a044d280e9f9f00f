// Equipment KPI page: downtime and good condition by top-level category, and the maintenance
// compliance of each kind of plan, as bar charts.
(function () {
  "use strict";
  const gettext = window.gettext || function (s) { return s; };
  const data = JSON.parse(document.getElementById("kpi-chart-data").textContent);
  if (!window.Chart) { return; }
  const categories = document.getElementById("chart-categories");
  if (categories) {
    new window.Chart(categories, {
      type: "bar",
      data: {
        labels: data.categories,
        datasets: [
          { label: gettext("Downtime (hours)"), data: data.downtime, backgroundColor: "#dc3545", yAxisID: "hours" },
          { label: gettext("Good condition over the period (%)"), data: data.good_rate, backgroundColor: "#198754", yAxisID: "percent" },
        ],
      },
      options: {
        scales: {
          hours: { position: "left", beginAtZero: true },
          percent: { position: "right", beginAtZero: true, max: 100, grid: { drawOnChartArea: false } },
        },
      },
    });
  }
  const compliance = document.getElementById("chart-compliance");
  if (compliance) {
    new window.Chart(compliance, {
      type: "bar",
      data: {
        labels: data.kinds,
        datasets: [{ label: gettext("Done on time (%)"), data: data.compliance, backgroundColor: "#0d6efd" }],
      },
      options: { indexAxis: "y", plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, max: 100 } } },
    });
  }
})();
