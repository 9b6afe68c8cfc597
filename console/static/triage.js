// The triage queue's keys and its agency picker. The page works without this script (its
// forms post, and the agency search is a plain GET); with it: j/↓ and k/↑ move between the
// tickets, a accepts the suggestions of the one in focus, Enter opens it; and the agency list
// fills as the dispatcher types, from /console/agencies/search.
(function () {
  "use strict";
  var WAIT_MS = 200; // between the last key typed and the search

  function items() { return Array.prototype.slice.call(document.querySelectorAll(".queue-item")); }

  function current() {
    var here = document.activeElement && document.activeElement.closest(".queue-item");
    return here || null;
  }

  function show(item) {
    if (!item) { return; }
    item.focus();
    item.scrollIntoView({ block: "nearest" });
    history.replaceState(null, "", "#" + item.id);
  }

  function step(by) {
    var all = items(), here = current();
    var at = here ? all.indexOf(here) + by : 0;
    show(all[Math.max(0, Math.min(all.length - 1, at))]);
  }

  function accept() {
    var here = current();
    var button = here && here.querySelector("form.accept button");
    if (button && !button.disabled) { button.form.requestSubmit(button); }
  }

  function typing(target) {
    return target.closest && target.closest("input, select, textarea, button, [contenteditable]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    var moves = { j: 1, ArrowDown: 1, k: -1, ArrowUp: -1 };
    if (event.key in moves) { event.preventDefault(); step(moves[event.key]); }
    else if (event.key === "a") { event.preventDefault(); accept(); }
    else if (event.key === "Enter" && current() === event.target) {
      location.href = event.target.querySelector("a.code").href;
    }
  });

  // The agency picker: the select keeps its first choice ("by sector and province") and the
  // triage suggestion, and gets the agencies matching what is typed, grouped as the server sends.
  function fill(select, groups) {
    Array.prototype.slice.call(select.querySelectorAll("optgroup")).forEach(function (g) { g.remove(); });
    groups.forEach(function (group) {
      var holder = document.createElement("optgroup");
      holder.label = group.label;
      group.agencies.forEach(function (a) { holder.appendChild(new Option(a.name_fa + " · " + a.code, a.code)); });
      select.appendChild(holder);
    });
    var first = select.querySelector("optgroup option");
    if (first) { select.value = first.value; }
  }

  function picker(input) {
    var select = document.getElementById(input.dataset.target), timer = null, asked = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++asked, url = new URL(input.dataset.agencySearch, location.href);
        url.searchParams.set("q", input.value);
        fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; })
          .then(function (found) { if (found && mine === asked) { fill(select, found.groups); } })
          .catch(function () { /* the plain search button still works */ });
      }, WAIT_MS);
    });
    input.form.addEventListener("submit", function (event) {
      event.preventDefault(); // the list is filled already; the select is in the other form
      select.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-agency-search]").forEach(picker);
    var wanted = location.hash && document.getElementById(location.hash.slice(1));
    show(wanted && wanted.classList.contains("queue-item") ? wanted : items()[0]);
  });
})();
