// Trend charts of the attendance report page: one line per department, one point per month (straight
// segments: counts do not pass between months; a month without results is a gap, not a zero).
(function () {
  const source = document.getElementById("report-chart-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const palette = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#d63384"];
  function draw(id, series) {
    const canvas = document.getElementById(id);
    if (!canvas) return;
    const datasets = Object.entries(series).map(([name, values], i) => ({
      label: name, data: values, borderColor: palette[i % palette.length],
      backgroundColor: palette[i % palette.length], tension: 0, spanGaps: false,
    }));
    new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: { responsive: true, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
                 plugins: { legend: { position: "bottom" } } },
    });
  }
  draw("chart-late", data.late);
  draw("chart-absent", data.absent);
})();
