/*
 * 移住相談チャット: the small part every page loads. It draws the floating
 * button and loads the panel (chat-widget.js and chat-widget.css) only when the
 * visitor opens it, or hovers/focuses the button, so pages stay light.
 *
 *   <script src="/chat-widget/chat-loader.js" defer
 *           data-api="/api/chat/" data-faq-url="/faq/"
 *           data-desk-name="いばらき暮らしサポートセンター" data-desk-phone="03-0000-0000"></script>
 *
 * Plain ES5, no framework: it must run on older phones too.
 */
(function () {
  "use strict";
  var script = document.currentScript || (function () {
    var all = document.getElementsByTagName("script");
    return all[all.length - 1];
  })();
  var base = script.src.replace(/[^\/]*$/, "");
  var config = {
    api: script.getAttribute("data-api") || "/api/chat/",
    faqUrl: script.getAttribute("data-faq-url") || "/faq/",
    deskName: script.getAttribute("data-desk-name") || "",
    deskPhone: script.getAttribute("data-desk-phone") || "",
    base: base
  };
  var loading = false;
  var button;

  function load(then) {
    if (window.PortalChat) { then(); return; }
    if (loading) { window.PortalChatQueue = then; return; }
    loading = true;
    window.PortalChatQueue = then;
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = base + "chat-widget.css";
    document.head.appendChild(css);
    var js = document.createElement("script");
    js.src = base + "chat-widget.js";
    js.onload = function () {
      if (window.PortalChatQueue) { window.PortalChatQueue(); window.PortalChatQueue = null; }
    };
    js.onerror = function () { loading = false; };
    document.head.appendChild(js);
  }

  function start() {
    button = document.createElement("button");
    button.type = "button";
    button.className = "pc-launcher";
    button.setAttribute("aria-haspopup", "dialog");
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", "pc-panel");
    button.innerHTML = '<span aria-hidden="true">\uD83D\uDCAC</span> <span>移住の質問はこちら</span>';
    button.style.cssText = "position:fixed;right:12px;bottom:12px;z-index:2147483000;" +
      "padding:12px 16px;border:0;border-radius:24px;background:#1a5fb4;color:#fff;" +
      "font-size:16px;box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer";
    button.onclick = function () {
      load(function () { window.PortalChat.toggle(config, button); });
    };
    // Warm up while the visitor is about to click.
    button.onmouseover = button.onfocus = function () { load(function () {}); };
    document.body.appendChild(button);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
