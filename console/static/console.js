// The console's only script: live countdowns to each deadline, and a quiet refresh of the
// ticket list's rows, so a supervisor never has to reload to see new or breached tickets.
(function () {
  "use strict";
  var FA = "۰۱۲۳۴۵۶۷۸۹";
  var REFRESH_MS = 20000;
  var NEAR_MS = 60 * 60 * 1000; // the last hour of the three is shown as "near"

  function fa(text) { return String(text).replace(/[0-9]/g, function (d) { return FA[d]; }); }
  function two(n) { return n < 10 ? "0" + n : String(n); }

  // "۲:۰۵:۰۹"; past a day (business-hours deadlines, long breaches) "۲ روز و ۳:۰۵:۰۹".
  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(s / 86400);
    var time = Math.floor(s / 3600) % 24 + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60);
    return fa(days ? days + " روز و " + time : time);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var left = Date.parse(el.dataset.due) - now;
      el.classList.toggle("breached", left < 0);
      el.classList.toggle("near", left >= 0 && left < NEAR_MS);
      el.textContent = left < 0 ? "گذشته " + span(left) : span(left) + " مانده";
    });
  }

  function refreshRows() {
    var table = document.querySelector("table[data-live]");
    if (!table || document.hidden) { return; }
    var url = new URL(table.dataset.live, location.href);
    url.searchParams.set("rows", "1");
    fetch(url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.text();
    }).then(function (html) {
      document.getElementById("rows").innerHTML = html;
      var count = document.querySelector("#rows tr[data-total]");
      var shown = document.querySelector("[data-total-label]");
      if (count && shown) { shown.textContent = count.dataset.total; }
      tick();
    }).catch(function () { /* a missed refresh is retried on the next round */ });
  }

  // Blocking a number cannot be undone from the console: ask first.
  document.addEventListener("submit", function (event) {
    var ask = event.target.dataset && event.target.dataset.confirm;
    if (ask && !window.confirm(ask)) { event.preventDefault(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 1000);
    setInterval(refreshRows, REFRESH_MS);
  });

  // For the browser tests (and a curious supervisor's console): refresh now.
  window.foadConsole = { refreshRows: refreshRows };
})();
