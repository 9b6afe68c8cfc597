// The console's only script: live countdowns to each deadline on the server's clock, a quiet
// refresh of the ticket list's rows (so a supervisor never has to reload to see new or
// breached tickets), drafts of what is being typed kept across a log-in, @-mentions by a
// click, the filters folded away on a phone, and a period picked from a list there.
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
      var ticked = Array.prototype.map.call(
        document.querySelectorAll("#rows input[name=codes]:checked"), function (box) { return box.value; });
      document.getElementById("rows").innerHTML = html;
      ticked.forEach(function (code) {  // a refresh keeps what a supervisor ticked for a bulk action
        var box = document.querySelector("#rows input[name=codes][value='" + code + "']");
        if (box) { box.checked = true; }
      });
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

  // What is being typed (a result, a note, a question) is kept in this tab (sessionStorage)
  // so that a log-in or a refused form in between loses nothing; a page after a done action,
  // or without the field (the ticket was resolved), forgets it.
  function keepDrafts() {
    var done = document.querySelector(".flash.ok");
    document.querySelectorAll("[data-drafts]").forEach(function (holder) {
      holder.dataset.drafts.split(" ").forEach(function (key) {
        var field = document.querySelector("textarea[data-draft='" + key + "']");
        if (!field || done) { sessionStorage.removeItem(key); }
        if (!field) { return; }
        var kept = sessionStorage.getItem(key);
        if (kept && !field.value) { field.value = kept; }
        field.addEventListener("input", function () { sessionStorage.setItem(key, field.value); });
      });
    });
  }

  // A colleague's name clicked under a note is written into it as @name.
  function mentionChips() {
    document.querySelectorAll("[data-mention]").forEach(function (chip) {
      chip.addEventListener("click", function () {
        var field = document.getElementById(chip.closest("[data-for]").dataset.for);
        var gap = field.value && !/\s$/.test(field.value) ? " " : "";
        field.value += gap + "@" + chip.dataset.mention + " ";
        field.dispatchEvent(new Event("input"));
        field.focus();
      });
    });
  }

  // On a phone the filters fold behind one button (CSS hides them there until it is pressed).
  function foldFilters() {
    document.querySelectorAll(".filters-toggle").forEach(function (button) {
      var form = document.getElementById(button.getAttribute("aria-controls"));
      button.addEventListener("click", function () {
        var open = form.classList.toggle("open");
        button.setAttribute("aria-expanded", open ? "true" : "false");
      });
    });
  }

  // Tables become cards on a phone: each cell is labelled with its column's heading (CSS
  // shows the label above the value there); cells that carry a label already keep theirs.
  function labelCells() {
    document.querySelectorAll("main table").forEach(function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.classList.add("cards-on-phone");
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, n) {
          if (!cell.dataset.label && heads[n] && !cell.hasAttribute("colspan")) { cell.dataset.label = heads[n]; }
        });
      });
    });
  }

  // A period picked from the compact list (on a phone) is opened at once.
  function periodPicker() {
    document.querySelectorAll("select[data-go]").forEach(function (select) {
      select.addEventListener("change", function () { location.href = select.value; });
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
    mentionChips();
    foldFilters();
    periodPicker();
    labelCells();
    var table = document.querySelector("table[data-live]");
    if (table) {
      refreshing = setInterval(refreshRows, Number(table.dataset.refreshMs) || DEFAULT_REFRESH_MS);
    }
  });
})();
