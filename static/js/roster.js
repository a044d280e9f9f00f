// The roster grid: a click on a cell opens its editor in a dialog (htmx); with "Select cells"
// on (or Ctrl/⌘-click) clicks pick cells instead. Row and day checkboxes pick whole rows, whole
// days, or their crossing; the picked cells are highlighted and counted for the bulk change.
// No user-facing text here: labels come from the templates.
(function () {
  "use strict";
  let selecting = false;

  function modal() {
    const element = document.getElementById("roster-modal");
    return element && window.bootstrap ? window.bootstrap.Modal.getOrCreateInstance(element) : null;
  }

  function bulkForm() { return document.getElementById("roster-bulk"); }

  function toggleCell(cell) {
    const holder = document.getElementById("roster-picked");
    if (!holder || !cell) { return; }
    const key = cell.dataset.k;
    const existing = Array.from(holder.querySelectorAll("input")).find(function (i) { return i.value === key; });
    if (existing) {
      existing.remove();
    } else {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "cell";
      input.value = key;
      holder.appendChild(input);
    }
    refresh();
  }

  function refresh() {
    const form = bulkForm();
    if (!form) { return; }
    const values = function (selector) {
      return new Set(Array.from(form.querySelectorAll(selector)).map(function (i) { return i.value; }));
    };
    const rows = values('input[name="staff"]:checked');
    const days = values('input[name="day"]:checked');
    const picked = values('input[name="cell"]');
    let count = 0;
    form.querySelectorAll("td[data-k]").forEach(function (cell) {
      const parts = cell.dataset.k.split(":");
      const editableRow = !!cell.parentElement.querySelector('input[name="staff"]');
      const crossed = (rows.size > 0 || days.size > 0) && editableRow &&
        (rows.size === 0 || rows.has(parts[0])) && (days.size === 0 || days.has(parts[1]));
      const on = crossed || picked.has(cell.dataset.k);
      cell.classList.toggle("selected", on);
      if (on) { count += 1; }
    });
    const counter = document.getElementById("roster-selected-count");
    if (counter) { counter.textContent = String(count); }
    const apply = document.getElementById("roster-bulk-apply");
    if (apply) { apply.disabled = count === 0; }
    const mode = document.getElementById("roster-select-mode");
    if (mode) { mode.classList.toggle("active", selecting); mode.setAttribute("aria-pressed", String(selecting)); }
  }

  document.addEventListener("click", function (event) {
    const mode = event.target.closest("#roster-select-mode");
    if (mode) { selecting = !selecting; refresh(); return; }
    if (event.target.closest("#roster-clear-selection")) {
      const form = bulkForm();
      form.querySelectorAll('input[name="staff"], input[name="day"]').forEach(function (i) { i.checked = false; });
      document.getElementById("roster-picked").innerHTML = "";
      refresh();
      return;
    }
    const link = event.target.closest("#roster-grid a.rc");
    if (!link) { return; }
    if (selecting || event.ctrlKey || event.metaKey) {
      event.preventDefault();
      toggleCell(link.closest("td"));
      return;
    }
    if (!window.htmx || !document.getElementById("roster-modal-body")) { return; }  // the page works too
    event.preventDefault();
    window.htmx.ajax("GET", link.href, { target: "#roster-modal-body", swap: "innerHTML" }).then(function () {
      const dialog = modal();
      if (dialog) { dialog.show(); }
    });
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches('#roster-bulk input[name="staff"], #roster-bulk input[name="day"]')) { refresh(); }
  });

  document.body.addEventListener("rosterSaved", function () {
    const dialog = modal();
    if (dialog) { dialog.hide(); }
  });

  document.body.addEventListener("htmx:afterSettle", function () { refresh(); });
  refresh();
})();
