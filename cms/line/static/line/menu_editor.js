// Rich menu area editor: draw tap areas over the menu image with the mouse.
// Each drawn rectangle becomes {"bounds": {...}, "action": {...}, "label": ...} in
// the areas JSON textarea (which stays editable for keyboard users).
(function () {
  "use strict";
  function setup(root) {
    // Rich menus: 20 areas, size from the form's size select. Imagemaps pass
    // data-size="1040xH" and data-max="50" (and only uri/message actions).
    var MAX_AREAS = parseInt(root.dataset.max || "20", 10);
    var textarea = document.getElementById(root.dataset.target);
    var sizeSelect = textarea.form && textarea.form.querySelector("select[name=size]");
    var stage = document.createElement("div");
    stage.style.cssText = "position:relative;max-width:50rem;background:#eee;user-select:none;cursor:crosshair;margin-bottom:.5rem";
    root.appendChild(stage);
    if (root.dataset.image) {
      var img = document.createElement("img");
      img.src = root.dataset.image;
      img.alt = "";
      img.style.cssText = "display:block;width:100%";
      img.draggable = false;
      stage.appendChild(img);
    }

    function size() {
      var chosen = root.dataset.size || (sizeSelect ? sizeSelect.value : "2500x1686");
      var parts = chosen.split("x");
      return { w: parseInt(parts[0], 10), h: parseInt(parts[1], 10) };
    }
    function areas() {
      try { return JSON.parse(textarea.value || "[]"); } catch (e) { return null; }
    }
    function render() {
      var s = size();
      if (!root.dataset.image) { stage.style.aspectRatio = s.w + " / " + s.h; }
      stage.querySelectorAll(".area").forEach(function (el) { el.remove(); });
      var list = areas();
      if (!list) { return; }
      list.forEach(function (area, i) {
        var b = area.bounds, el = document.createElement("div");
        el.className = "area";
        el.style.cssText = "position:absolute;outline:2px solid #d00;background:rgba(255,0,0,.12);box-sizing:border-box;font-size:12px;padding:2px;overflow:hidden";
        el.style.left = (100 * b.x / s.w) + "%";
        el.style.top = (100 * b.y / s.h) + "%";
        el.style.width = (100 * b.width / s.w) + "%";
        el.style.height = (100 * b.height / s.h) + "%";
        el.textContent = (i + 1) + ". " + (area.label || area.action.type);
        var del = document.createElement("button");
        del.type = "button";
        del.textContent = "×";
        del.setAttribute("aria-label", "領域" + (i + 1) + "を削除");
        del.style.cssText = "position:absolute;right:2px;top:2px";
        del.addEventListener("mousedown", function (ev) { ev.stopPropagation(); });
        del.addEventListener("click", function () {
          var current = areas(); current.splice(i, 1);
          textarea.value = JSON.stringify(current, null, 1); render();
        });
        el.appendChild(del);
        stage.appendChild(el);
      });
    }

    var start = null, box = null;
    function point(ev) {
      var r = stage.getBoundingClientRect(), s = size();
      return {
        x: Math.max(0, Math.min(s.w, Math.round((ev.clientX - r.left) / r.width * s.w))),
        y: Math.max(0, Math.min(s.h, Math.round((ev.clientY - r.top) / r.height * s.h)))
      };
    }
    stage.addEventListener("mousedown", function (ev) {
      start = point(ev);
      box = document.createElement("div");
      box.style.cssText = "position:absolute;outline:2px dashed #00d;pointer-events:none";
      stage.appendChild(box);
    });
    document.addEventListener("mousemove", function (ev) {
      if (!start) { return; }
      var p = point(ev), s = size();
      box.style.left = (100 * Math.min(start.x, p.x) / s.w) + "%";
      box.style.top = (100 * Math.min(start.y, p.y) / s.h) + "%";
      box.style.width = (100 * Math.abs(p.x - start.x) / s.w) + "%";
      box.style.height = (100 * Math.abs(p.y - start.y) / s.h) + "%";
    });
    document.addEventListener("mouseup", function (ev) {
      if (!start) { return; }
      var p = point(ev), a = start;
      start = null; box.remove();
      var bounds = { x: Math.min(a.x, p.x), y: Math.min(a.y, p.y),
                     width: Math.abs(p.x - a.x), height: Math.abs(p.y - a.y) };
      if (bounds.width < 20 || bounds.height < 20) { return; }
      var list = areas();
      if (!list) { window.alert("タップ領域のJSONが正しくありません。先に直してください。"); return; }
      if (list.length >= MAX_AREAS) { window.alert("タップ領域は" + MAX_AREAS + "個までです。"); return; }
      var label = window.prompt("ラベル（20文字まで）", "") || "";
      var type = window.prompt(root.dataset.actions || "動作: uri（リンク） / postback / message / richmenuswitch（タブ切替）", "uri");
      if (!type) { return; }
      var value = window.prompt(type === "uri" ? "リンク先URL" : type === "message" ? "送信するテキスト" :
        type === "richmenuswitch" ? "切り替え先タブの識別名" : "ポストバックのデータ（例: ask=子育て）", "");
      var action = { type: type, label: label.slice(0, 20) };
      if (type === "uri") { action.uri = value; }
      else if (type === "message") { action.text = value; }
      else if (type === "richmenuswitch") { action.richMenuAliasId = value; action.data = "tab=" + value; }
      else { action.data = value; action.displayText = label; }
      list.push({ bounds: bounds, action: action, label: label });
      textarea.value = JSON.stringify(list, null, 1);
      render();
    });
    textarea.addEventListener("input", render);
    if (sizeSelect) { sizeSelect.addEventListener("change", render); }
    render();
  }

  function setupAll() {
    document.querySelectorAll("[data-line-menu-editor]").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setupAll);
  } else {
    setupAll();
  }
})();
