/* The support-measure finder (partials/support_finder.html): shows the cards of
   the list below it that match the chosen category (c) and town (m), hides the
   category sections left empty, announces the count, and keeps the filters in
   the query string so a filtered list can be shared; loading such a URL restores
   them. A town shows its own measures and the prefecture's ("pref"), which apply
   everywhere. Without this script the page is the plain grouped list. */
(function () {
  "use strict";
  var finder = document.getElementById("support-finder");
  var list = document.querySelector("[data-support-list]");
  if (!finder || !list || !window.URLSearchParams) return;
  var form = finder.querySelector("form");
  var count = document.getElementById("support-count");
  var none = document.getElementById("support-none");
  var cards = list.querySelectorAll(".card--support");
  var groups = list.querySelectorAll("[data-support-group]");
  var FIELDS = ["c", "m"];

  function values() {
    var found = {};
    FIELDS.forEach(function (name) {
      var input = form.elements[name];
      if (input && input.value) found[name] = input.value;
    });
    return found;
  }

  function restore(params) {
    FIELDS.forEach(function (name) {
      var input = form.elements[name];
      if (!input) return;
      var value = params.get(name) || "";
      input.value = value;
      if (input.value !== value) input.value = ""; // unknown in this list
    });
  }

  function accepts(card, f) {
    if (f.c && card.getAttribute("data-category") !== f.c) return false;
    var town = card.getAttribute("data-town");
    if (f.m && town !== f.m && !(town === "pref" && f.m !== "pref")) return false;
    return true;
  }

  function update(push) {
    var f = values();
    var shown = 0;
    Array.prototype.forEach.call(cards, function (card) {
      var ok = accepts(card, f);
      card.hidden = !ok;
      if (ok) shown += 1;
    });
    Array.prototype.forEach.call(groups, function (group) {
      var empty = !group.querySelector(".card--support:not([hidden])");
      group.hidden = empty;
      var entry = document.querySelector(
        '[data-support-toc-item="' + group.getAttribute("data-support-group") + '"]'
      );
      if (entry) entry.hidden = empty;
    });
    if (none) none.hidden = shown > 0;
    count.textContent = "条件に合う支援策：" + shown + "件";
    if (push) {
      var query = new URLSearchParams(f).toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
    }
  }

  restore(new URLSearchParams(location.search));
  update(false);
  finder.setAttribute("data-ready", ""); // the list below now shows the filters' result
  form.addEventListener("change", function () {
    update(true);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    update(true);
  });
  form.addEventListener("reset", function () {
    setTimeout(function () {
      update(true);
    }, 0);
  });
  window.addEventListener("popstate", function () {
    restore(new URLSearchParams(location.search));
    update(false);
  });
})();
