/* Portal analytics: cookieless page views, no-op under DNT/GPC (docs/analytics.md) */
(function (w, d, n) {
  var s = d.currentScript, api = (s && s.getAttribute("data-api")) || "/api/collect/";
  if (n.doNotTrack == "1" || w.doNotTrack == "1" || n.globalPrivacyControl || n.webdriver) return;
  function send(e) {
    var b = JSON.stringify({ e: e, u: location.pathname + location.search, r: d.referrer, w: w.innerWidth });
    if (!(n.sendBeacon && n.sendBeacon(api, b))) fetch(api, { method: "POST", body: b, keepalive: true });
  }
  send("pageview");
  d.addEventListener("click", function (ev) {
    var t = ev.target;
    if (t.closest && t.closest('a[href^="tel:"],a[href^="mailto:"],[data-analytics="inquiry"]')) send("inquiry");
  }, true);
})(window, document, navigator);
