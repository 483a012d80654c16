// The gradebook table: sort by a column (click its header), search, filter by status and flag.
// Plain DOM, no build step; the rows are the server's, only their order and visibility change.
document.addEventListener("DOMContentLoaded", () => {
  const table = document.querySelector("table.sortable");
  if (!table) return;
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const search = document.getElementById("search"), status = document.getElementById("status");
  const flagged = document.getElementById("flagged-only"), shown = document.getElementById("shown");

  table.querySelectorAll("th[data-sort]").forEach((th, column) => {
    th.addEventListener("click", () => {
      const up = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach((h) => h.removeAttribute("aria-sort"));
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      const key = (row) => row.cells[column].textContent.trim();
      const numeric = th.dataset.sort === "number";
      const compare = numeric
        ? (a, b) => (parseFloat(key(a)) || 0) - (parseFloat(key(b)) || 0)
        : (a, b) => key(a).localeCompare(key(b));
      rows.sort((a, b) => (up ? compare(a, b) : compare(b, a)));
      body.append(...rows);
    });
  });

  function filter() {
    const words = search.value.toLowerCase();
    let count = 0;
    for (const row of rows) {
      const visible = row.textContent.toLowerCase().includes(words)
        && (!status.value || row.dataset.status === status.value)
        && (!flagged.checked || row.dataset.flagged === "yes");
      row.hidden = !visible;
      count += visible;
    }
    shown.textContent = `${count} of ${rows.length} shown`;
  }
  [search, status, flagged].forEach((el) => el.addEventListener("input", filter));
  filter();
});
