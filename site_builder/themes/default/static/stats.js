// Sort a statistics table by a column when its header is activated; without JavaScript the table keeps its
// server order (by region code). Values come from data-value attributes (numbers) or the cell text.
for (const table of document.querySelectorAll("table.sortable")) {
  const headers = [...table.tHead.rows[0].cells];
  headers.forEach((th, index) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    th.setAttribute("aria-sort", "none");
    button.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      headers.forEach((h) => h.setAttribute("aria-sort", "none"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const numeric = th.dataset.sort === "number";
      const body = table.tBodies[0];
      const key = (row) => {
        const cell = row.cells[index];
        const raw = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
        return numeric ? (raw === "" ? null : Number(raw)) : raw;
      };
      const rows = [...body.rows];
      rows.sort((a, b) => {
        const x = key(a), y = key(b);
        if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;  // not stated: always last
        const order = numeric ? x - y : String(x).localeCompare(String(y), "zh-CN");
        return ascending ? order : -order;
      });
      body.append(...rows);
    });
  });
}
