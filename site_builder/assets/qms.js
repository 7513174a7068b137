/* qms-site: sortable and filterable tables (no external code). */
(function () {
  function cellText(row, index) { return (row.cells[index] || {}).textContent || ""; }
  function sortTable(table, index, th) {
    var body = table.tBodies[0];
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellText(a, index), y = cellText(b, index);
      var nx = parseFloat(x), ny = parseFloat(y);
      var cmp = (!isNaN(nx) && !isNaN(ny) && String(nx) === x.trim() && String(ny) === y.trim()) ? nx - ny : x.localeCompare(y, "zh-CN");
      return ascending ? cmp : -cmp;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  function applyFilters(box, table) {
    var selects = box.querySelectorAll("select[data-qms-filter]");
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var visible = true;
      Array.prototype.forEach.call(selects, function (s) {
        if (s.value && cellText(row, +s.getAttribute("data-qms-filter")) !== s.value) { visible = false; }
      });
      row.hidden = !visible;
    });
  }
  function setup() {
    document.querySelectorAll("table[data-qms~='qms-sortable']").forEach(function (table) {
      if (table.dataset.qmsReady) { return; }
      table.dataset.qmsReady = "1";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
        th.addEventListener("click", function () { sortTable(table, index, th); });
      });
    });
    document.querySelectorAll("div[data-qms-table]").forEach(function (box) {
      var table = document.getElementById(box.getAttribute("data-qms-table"));
      if (!table || box.dataset.qmsReady) { return; }
      box.dataset.qmsReady = "1";
      box.querySelectorAll("select[data-qms-filter]").forEach(function (select) {
        var index = +select.getAttribute("data-qms-filter"), seen = {};
        Array.prototype.forEach.call(table.tBodies[0].rows, function (row) { seen[cellText(row, index)] = true; });
        Object.keys(seen).sort().forEach(function (value) {
          var option = document.createElement("option"); option.value = value; option.textContent = value; select.appendChild(option);
        });
        select.addEventListener("change", function () { applyFilters(box, table); });
      });
    });
  }
  /* "in force on a date": bold the versions whose [from, to) interval holds the chosen date. */
  function markInForce(input) {
    var day = input.value;
    document.querySelectorAll("span[data-qms-from]").forEach(function (span) {
      var to = span.getAttribute("data-qms-to");
      var inForce = day && span.getAttribute("data-qms-from") <= day && (!to || day < to);
      span.classList.toggle("qms-in-force", !!inForce);
    });
  }
  function setupAsOf() {
    document.querySelectorAll("input[data-qms-as-of]").forEach(function (input) {
      if (input.dataset.qmsReady) { return; }
      input.dataset.qmsReady = "1";
      input.addEventListener("change", function () { markInForce(input); });
    });
  }
  if (window.document$ && window.document$.subscribe) { window.document$.subscribe(setupAsOf); }
  else { document.addEventListener("DOMContentLoaded", setupAsOf); }
  if (window.document$ && window.document$.subscribe) { window.document$.subscribe(setup); }
  else { document.addEventListener("DOMContentLoaded", setup); }
})();
