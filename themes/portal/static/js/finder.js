/* The akiya finder: filters the build-time index (akiya/finder.json, made by
   builders/finder.py) as the filters change, and keeps the filters in the query
   string so a result can be shared; loading a URL with filters restores them.
   Without this script the page is the plain paged list. No framework. */
(function () {
  "use strict";
  var finder = document.getElementById("finder");
  if (!finder || !window.fetch || !window.URLSearchParams) return;
  var form = finder.querySelector("form");
  var results = document.getElementById("finder-results");
  var count = document.getElementById("finder-count");
  var moreBox = finder.querySelector(".finder__more");
  var moreButton = document.getElementById("finder-more");
  var FIELDS = ["m", "d", "k", "p", "r", "n", "a", "all"];
  var STEP = 24;
  var data = null;
  var shown = STEP;
  var matches = [];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function values() {
    var found = {};
    var params = new FormData(form);
    FIELDS.forEach(function (name) {
      var value = params.get(name);
      if (value) found[name] = String(value);
    });
    return found;
  }

  function restore(params) {
    FIELDS.forEach(function (name) {
      var value = params.get(name) || "";
      var inputs = form.elements[name];
      if (!inputs) return;
      if (inputs.tagName === "SELECT") {
        inputs.value = value;
        if (inputs.value !== value) inputs.value = "";
      } else if (inputs.type === "checkbox") {
        inputs.checked = value === "1";
      } else if (inputs.length) {
        Array.prototype.forEach.call(inputs, function (input) {
          input.checked = input.value === value;
        });
      }
    });
  }

  function townId(slug) {
    for (var i = 0; i < data.towns.length; i++) {
      if (data.towns[i].slug === slug) return data.towns[i].id;
    }
    return null;
  }

  function accepts(item, f) {
    if (f.m && item.m !== townId(f.m)) return false;
    if (!f.all && item.s !== "open" && item.s !== "negotiating") return false;
    if (f.d && item.d.indexOf(f.d) < 0) return false;
    if (f.k && item.k !== f.k) return false;
    if (f.p && (item.p === null || item.p > Number(f.p))) return false;
    if (f.r && (item.r === null || item.r > Number(f.r))) return false;
    if (f.n && (item.n === null || item.n < Number(f.n))) return false;
    if (f.a && (item.a === null || item.a < Number(f.a))) return false;
    return true;
  }

  function townName(id) {
    for (var i = 0; i < data.towns.length; i++) {
      if (data.towns[i].id === id) return data.towns[i].name;
    }
    return "";
  }

  function area(value) {
    return value === null ? "" : String(value).replace(/\.0+$/, "") + "㎡";
  }

  function card(item) {
    var article = el("article", "card card--akiya");
    var link = el("a", "card__link");
    link.href = item.u;
    if (item.i) {
      var box = el("div", "card__image");
      var img = el("img");
      img.src = item.i[0];
      img.width = item.i[1];
      img.height = item.i[2];
      img.alt = item.i[3] || "";
      img.loading = "lazy";
      img.decoding = "async";
      box.appendChild(img);
      link.appendChild(box);
    }
    var body = el("div", "card__body");
    body.appendChild(el("h3", "card__title", item.t));
    var meta = el("p", "card__meta");
    var town = townName(item.m);
    if (town) meta.appendChild(el("span", "tag", town));
    if (item.sl) meta.appendChild(el("span", "tag tag--" + item.s, item.sl));
    meta.appendChild(el("span", "tag", item.k === "land" ? "土地のみ" : "建物付き"));
    body.appendChild(meta);
    body.appendChild(el("p", "card__price", item.pl));
    var facts = [item.l, item.b !== null ? "建物 " + area(item.b) : "", item.a !== null ? "土地 " + area(item.a) : ""];
    body.appendChild(el("p", "card__facts", facts.filter(Boolean).join(" ・ ")));
    link.appendChild(body);
    article.appendChild(link);
    return article;
  }

  function draw() {
    results.textContent = "";
    var fragment = document.createDocumentFragment();
    matches.slice(0, shown).forEach(function (item) {
      fragment.appendChild(card(item));
    });
    results.appendChild(fragment);
    moreBox.hidden = matches.length <= shown;
  }

  function update(push) {
    var f = values();
    matches = data.items.filter(function (item) {
      return accepts(item, f);
    });
    shown = STEP;
    count.textContent = "条件に合う物件：" + matches.length + "件";
    draw();
    if (push) {
      var query = new URLSearchParams(f).toString();
      var url = location.pathname + (query ? "?" + query : "") + location.hash;
      history.replaceState(null, "", url);
    }
  }

  function start(index) {
    data = index;
    var select = form.elements.m;
    data.towns.forEach(function (town) {
      var option = el("option", "", town.name + "（" + town.count + "件）");
      option.value = town.slug;
      select.appendChild(option);
    });
    var params = new URLSearchParams(location.search);
    restore(params);
    // Filters behind "more" are shown when a shared URL uses them.
    var detail = document.getElementById("finder-detail");
    if (detail && ["p", "r", "n", "a", "all"].some(function (name) { return params.get(name); })) {
      detail.open = true;
    }
    finder.hidden = false;
    var fallback = document.querySelector("[data-finder-fallback]");
    if (fallback) fallback.hidden = true;
    update(false);
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
    moreButton.addEventListener("click", function () {
      var first = shown;
      shown += STEP;
      draw();
      var next = results.children[first];
      if (next) next.querySelector("a").focus();
    });
    window.addEventListener("popstate", function () {
      restore(new URLSearchParams(location.search));
      update(false);
    });
  }

  fetch(finder.getAttribute("data-finder-index"))
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    })
    .then(start)
    .catch(function () {
      /* The plain list stays: nothing is lost without the index. */
    });
})();
