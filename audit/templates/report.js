"use strict";
// Findings filters. Without JavaScript every row stays visible and the filter bar stays
// hidden; ?q=, ?verdict= and ?severity= (minimum severity) preset the filters, so a
// filtered view can be shared as a link.
(function () {
  var params = new URLSearchParams(window.location.search);
  var text = document.getElementById("filter-text");
  var verdict = document.getElementById("filter-verdict");
  var severity = document.getElementById("filter-severity");
  var counter = document.getElementById("visible-count");
  var rows = Array.prototype.slice.call(document.querySelectorAll("#findings-table tbody tr"));
  var ranks = {"": -1, info: 0, low: 1, medium: 2, high: 3, critical: 4};

  function apply() {
    var needle = text.value.trim().toLowerCase();
    var minRank = ranks[severity.value] === undefined ? -1 : ranks[severity.value];
    var visible = 0;
    rows.forEach(function (row) {
      var show = (!verdict.value || row.getAttribute("data-verdict") === verdict.value) &&
        Number(row.getAttribute("data-rank")) >= minRank &&
        (!needle || row.textContent.toLowerCase().indexOf(needle) !== -1);
      row.hidden = !show;
      if (show) { visible += 1; }
    });
    counter.textContent = visible + " of " + rows.length + " findings shown";
    document.body.setAttribute("data-visible", String(visible));
  }

  text.value = params.get("q") || "";
  verdict.value = params.get("verdict") || "";
  severity.value = params.get("severity") || "";
  [text, verdict, severity].forEach(function (el) {
    el.addEventListener("input", apply);
    el.addEventListener("change", apply);
  });
  document.getElementById("filters").hidden = false;
  apply();
  document.body.setAttribute("data-ready", "1");
})();
