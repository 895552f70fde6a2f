/* Site search: runs the query from ?q= (or the form) against the Pagefind
   index built by builders/search.py (in shards, merged here) and lists the
   pages found. Pagefind's WASM needs 'wasm-unsafe-eval' in the Content
   Security Policy. No framework. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var input = document.getElementById("search-q");
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var fallback = document.getElementById("search-fallback");
  var moreBox = document.querySelector(".search-more");
  var moreButton = document.getElementById("search-more");
  if (!form || !list) return;
  var STEP = 10;
  var engine = null;
  var found = [];
  var shown = 0;

  function load() {
    if (!engine) {
      // The index is in shards (builders/search.py): the first is loaded, the
      // others are merged into its results.
      var others = (list.getAttribute("data-search-merge") || "").split(" ").filter(Boolean);
      engine = import(list.getAttribute("data-search-index")).then(function (pagefind) {
        return pagefind.options({ excerptLength: 40 }).then(function () {
          return Promise.all(others.map(function (path) { return pagefind.mergeIndex(path); }));
        }).then(function () {
          return pagefind;
        });
      });
    }
    return engine;
  }

  function item(data) {
    var li = document.createElement("li");
    li.className = "search-results__item";
    var heading = document.createElement("h2");
    heading.className = "search-results__title";
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    heading.appendChild(link);
    li.appendChild(heading);
    var excerpt = document.createElement("p");
    excerpt.className = "search-results__excerpt";
    // Pagefind's excerpt is escaped text with <mark> around the matches.
    excerpt.innerHTML = data.excerpt;
    li.appendChild(excerpt);
    return li;
  }

  function more() {
    var batch = found.slice(shown, shown + STEP);
    var first = shown;
    shown += batch.length;
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (pages) {
      pages.forEach(function (page) { list.appendChild(item(page)); });
      moreBox.hidden = shown >= found.length;
      return first;
    });
  }

  function run(query) {
    list.textContent = "";
    moreBox.hidden = true;
    found = [];
    shown = 0;
    if (!query) {
      status.textContent = "キーワードを入力してください。";
      return;
    }
    status.textContent = "検索しています…";
    load()
      .then(function (pagefind) { return pagefind.search(query); })
      .then(function (search) {
        found = search.results;
        status.textContent = found.length
          ? "「" + query + "」の検索結果：" + found.length + "件"
          : "「" + query + "」に一致するページは見つかりませんでした。言葉を変えてお試しください。";
        return more();
      })
      .catch(function () {
        status.textContent = "検索を利用できません。下の一覧からお探しください。";
        fallback.hidden = false;
      });
  }

  fallback.hidden = true;
  var query = new URLSearchParams(location.search).get("q") || "";
  input.value = query;
  document.querySelectorAll('input[name="q"]').forEach(function (box) { box.value = query; });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    history.replaceState(null, "", location.pathname + (text ? "?q=" + encodeURIComponent(text) : ""));
    run(text);
  });
  moreButton.addEventListener("click", function () {
    more().then(function (first) {
      var next = list.children[first];
      if (next) next.querySelector("a").focus();
    });
  });
  if (query) run(query);
})();
