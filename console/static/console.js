// The console's only script: live countdowns to each deadline on the server's clock, a quiet
// refresh of the ticket list's rows (so a supervisor never has to reload to see new or
// breached tickets), and drafts of the result text kept across a log-in.
(function () {
  "use strict";
  var FA = "۰۱۲۳۴۵۶۷۸۹";
  var DEFAULT_REFRESH_MS = 20000;
  var NEAR_MS = 60 * 60 * 1000; // the last hour of the three is shown as "near"
  var offset = 0; // the server's clock minus this browser's, in ms: a wrong PC clock is common
  var refreshing = null;

  function fa(text) { return String(text).replace(/[0-9]/g, function (d) { return FA[d]; }); }
  function two(n) { return n < 10 ? "0" + n : String(n); }

  // "۲:۰۵:۰۹"; past a day (business-hours deadlines, long breaches) "۲ روز و ۳:۰۵:۰۹".
  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var days = Math.floor(s / 86400);
    var time = Math.floor(s / 3600) % 24 + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60);
    return fa(days ? days + " روز و " + time : time);
  }

  // The page (and each refresh of the rows) says what time the server made it.
  function setClock(serverNow) {
    var at = Date.parse(serverNow || "");
    if (!isNaN(at)) { offset = at - Date.now(); }
  }

  function tick() {
    var now = Date.now() + offset;
    document.querySelectorAll(".countdown[data-due]").forEach(function (el) {
      var left = Date.parse(el.dataset.due) - now;
      el.classList.toggle("breached", left < 0);
      el.classList.toggle("near", left >= 0 && left < NEAR_MS);
      el.textContent = left < 0 ? "گذشته " + span(left) : span(left) + " مانده";
    });
  }

  // The refresh is marked as background so it does not keep the session alive; once the
  // session has ended it gets a 401 (never the log-in page to paste into the table).
  function refreshRows() {
    var table = document.querySelector("table[data-live]");
    if (!table || document.hidden) { return; }
    var url = new URL(table.dataset.live, location.href);
    url.searchParams.set("rows", "1");
    fetch(url, { credentials: "same-origin", redirect: "error",
                 headers: { "X-Foad-Background": "1" } }).then(function (r) {
      if (r.status === 401) { sessionEnded(); return null; }
      if (!r.ok) { throw new Error(r.status); }
      return r.text();
    }).then(function (html) {
      if (html === null) { return; }
      document.getElementById("rows").innerHTML = html;
      var count = document.querySelector("#rows tr[data-total]");
      var shown = document.querySelector("[data-total-label]");
      if (count && shown) { shown.textContent = count.dataset.total; }
      if (count) { setClock(count.dataset.now); }
      tick();
    }).catch(function () { /* a missed refresh is retried on the next round */ });
  }

  function sessionEnded() {
    clearInterval(refreshing);
    var note = document.getElementById("session-ended");
    if (note) { note.hidden = false; }
  }

  // The result being typed is kept in this tab (sessionStorage) so that a log-in in between
  // loses nothing; a page without the field (the ticket was resolved) forgets it.
  function keepDrafts() {
    document.querySelectorAll("[data-drafts]").forEach(function (holder) {
      holder.dataset.drafts.split(" ").forEach(function (key) {
        var field = document.querySelector("textarea[data-draft='" + key + "']");
        if (!field) { sessionStorage.removeItem(key); return; }
        var kept = sessionStorage.getItem(key);
        if (kept && !field.value) { field.value = kept; }
        field.addEventListener("input", function () { sessionStorage.setItem(key, field.value); });
      });
    });
  }

  // Blocking a number cannot be undone from the console: ask first.
  document.addEventListener("submit", function (event) {
    var ask = event.target.dataset && event.target.dataset.confirm;
    if (ask && !window.confirm(ask)) { event.preventDefault(); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    setClock(document.body.dataset.serverNow);
    tick();
    setInterval(tick, 1000);
    keepDrafts();
    var table = document.querySelector("table[data-live]");
    if (table) {
      refreshing = setInterval(refreshRows, Number(table.dataset.refreshMs) || DEFAULT_REFRESH_MS);
    }
  });
})();
