/*
 * 移住相談チャット: the chat panel, loaded by chat-loader.js on first use.
 *
 * Accessible by design: a labelled dialog that does not trap the page, a log
 * region read by screen readers (aria-live), focus moved into the panel on open
 * and back to the button on close (Esc closes), real buttons for every choice,
 * usable from 320 px wide. Plain ES5 and XMLHttpRequest, no framework. When the
 * API cannot be reached it shows the FAQ page and the consultation desk instead.
 */
(function () {
  "use strict";
  var STORE = "portalChatSession";
  var state = { panel: null, log: null, input: null, form: null, launcher: null,
    config: null, settings: null, session: "", answers: 0, attributesAsked: false,
    sending: false };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.appendChild(document.createTextNode(text));
    return node;
  }

  function request(method, path, body, done, fail) {
    var xhr = new XMLHttpRequest();
    xhr.open(method, state.config.api.replace(/\/$/, "") + path, true);
    xhr.setRequestHeader("Content-Type", "application/json");
    xhr.timeout = 10000;
    xhr.onload = function () {
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = null; }
      if (xhr.status >= 200 && xhr.status < 300 && data) done(data);
      else fail(xhr.status, data);
    };
    xhr.onerror = xhr.ontimeout = function () { fail(0, null); };
    xhr.send(body ? JSON.stringify(body) : null);
  }

  function session() {
    if (!state.session) {
      try { state.session = window.sessionStorage.getItem(STORE) || ""; } catch (e) {}
    }
    return state.session;
  }

  function keepSession(id) {
    state.session = id;
    try { window.sessionStorage.setItem(STORE, id); } catch (e) {}
  }

  function scroll() { state.log.scrollTop = state.log.scrollHeight; }

  function say(who, node) {
    var item = el("div", "pc-msg pc-" + who);
    if (typeof node === "string") item.appendChild(document.createTextNode(node));
    else item.appendChild(node);
    state.log.appendChild(item);
    scroll();
    return item;
  }

  function choiceList(label, refs, onChoose) {
    var box = el("div", "pc-choices");
    if (label) box.appendChild(el("p", "pc-choices-label", label));
    var list = el("ul");
    for (var i = 0; i < refs.length; i++) {
      (function (ref) {
        var li = el("li");
        var b = el("button", "pc-choice", ref.question || ref.label);
        b.type = "button";
        b.onclick = function () { onChoose(ref); };
        li.appendChild(b);
        list.appendChild(li);
      })(refs[i]);
    }
    box.appendChild(list);
    return box;
  }

  function deskNode(desk) {
    var box = el("div", "pc-desk");
    box.appendChild(el("strong", null, desk.name));
    if (desk.department) box.appendChild(el("div", null, desk.department));
    if (desk.phone) {
      var tel = el("a", null, "電話 " + desk.phone);
      tel.href = "tel:" + desk.phone.replace(/[^0-9+]/g, "");
      box.appendChild(el("div")).appendChild(tel);
    }
    if (desk.email) {
      var mail = el("a", null, desk.email);
      mail.href = "mailto:" + desk.email;
      box.appendChild(el("div")).appendChild(mail);
    }
    if (desk.opening_hours) box.appendChild(el("div", null, desk.opening_hours));
    return box;
  }

  function fallback() {
    var box = el("div", "pc-fallback");
    box.appendChild(el("p", null, "ただいまチャットを利用できません。よくある質問のページか、相談窓口をご利用ください。"));
    var faq = el("a", null, "よくある質問（FAQ）のページへ");
    faq.href = state.config.faqUrl;
    box.appendChild(el("p")).appendChild(faq);
    var desk = state.settings && state.settings.desk;
    if (!desk && state.config.deskName) {
      desk = { name: state.config.deskName, phone: state.config.deskPhone };
    }
    if (desk) box.appendChild(deskNode(desk));
    say("bot", box);
  }

  function feedbackNode(turnId) {
    var box = el("div", "pc-feedback");
    box.appendChild(el("span", null, "この回答は役に立ちましたか？"));
    function send(helpful) {
      request("POST", "/feedback", { session_id: session(), turn_id: turnId, helpful: helpful },
        function () { box.innerHTML = ""; box.appendChild(el("span", null, "ご回答ありがとうございました。")); },
        function () { box.innerHTML = ""; box.appendChild(el("span", null, "評価を送れませんでした。")); });
    }
    var up = el("button", "pc-fb", "はい");
    up.type = "button";
    up.setAttribute("aria-label", "役に立った");
    up.onclick = function () { send(true); };
    var down = el("button", "pc-fb", "いいえ");
    down.type = "button";
    down.setAttribute("aria-label", "役に立たなかった");
    down.onclick = function () { send(false); };
    box.appendChild(up);
    box.appendChild(down);
    return box;
  }

  function showReply(data) {
    keepSession(data.session_id);
    var box = el("div");
    if (data.answer) {
      box.appendChild(el("p", "pc-q", data.answer.question));
      var body = el("div", "pc-answer");
      body.innerHTML = data.answer.html; // sanitised by the server (allowlist)
      box.appendChild(body);
      if (data.answer.url) {
        var more = el("a", "pc-more", "詳しく見る");
        more.href = data.answer.url;
        box.appendChild(el("p")).appendChild(more);
      }
      if (data.answer.desk) box.appendChild(deskNode(data.answer.desk));
      box.appendChild(feedbackNode(data.turn_id));
    } else {
      box.appendChild(el("p", null, data.message));
    }
    say("bot", box);
    if (data.suggestions && data.suggestions.length) {
      say("bot", choiceList(data.answer ? "ほかに、こちらのご質問ですか？" : "もしかして：",
        data.suggestions, choose));
    }
    if (data.follow_ups && data.follow_ups.length) {
      say("bot", choiceList("こちらもよく聞かれます", data.follow_ups, choose));
    }
    if (!data.answer && data.desk) {
      var deskBox = el("div");
      deskBox.appendChild(el("p", null, "相談窓口でもお答えします。"));
      deskBox.appendChild(deskNode(data.desk));
      say("bot", deskBox);
    }
    if (data.answer) {
      state.answers += 1;
      if (state.answers === 2) askAttributes();
    }
  }

  function send(body, shown) {
    if (state.sending) return;
    state.sending = true;
    if (shown) say("user", shown);
    body.session_id = session();
    var waiting = say("bot", "…");
    waiting.setAttribute("aria-hidden", "true");
    request("POST", "/", body, function (data) {
      state.log.removeChild(waiting);
      state.sending = false;
      showReply(data);
    }, function (status, data) {
      state.log.removeChild(waiting);
      state.sending = false;
      if (data && data.detail && status >= 400 && status < 500) say("bot", data.detail);
      else fallback();
    });
  }

  function choose(ref) { send({ answer_id: ref.id }, ref.question); }

  function showCategory(category) {
    request("GET", "/categories/" + category.id, null, function (data) {
      say("bot", choiceList(data.label + "の質問", data.questions, choose));
    }, fallback);
  }

  function askAttributes() {
    var s = state.settings;
    if (!s || !s.ask_attributes || !s.attribute_questions.length || state.attributesAsked) return;
    state.attributesAsked = true;
    var form = el("form", "pc-attrs");
    form.appendChild(el("p", null, s.consent_text));
    for (var i = 0; i < s.attribute_questions.length; i++) {
      var q = s.attribute_questions[i];
      var label = el("label", null, q.label + " ");
      var select = el("select");
      select.name = q.name;
      select.appendChild(el("option", null, "選ばない")).value = "";
      for (var j = 0; j < q.choices.length; j++) {
        var option = el("option", null, q.choices[j][1]);
        option.value = q.choices[j][0];
        select.appendChild(option);
      }
      label.appendChild(select);
      form.appendChild(el("div")).appendChild(label);
    }
    var ok = el("button", "pc-choice", "同意して送る");
    ok.type = "submit";
    var no = el("button", "pc-choice", "答えない");
    no.type = "button";
    form.appendChild(ok);
    form.appendChild(no);
    var item = say("bot", form);
    no.onclick = function () { item.innerHTML = ""; item.appendChild(document.createTextNode("承知しました。")); };
    form.onsubmit = function (event) {
      event.preventDefault();
      var body = { session_id: session(), consent: true };
      var selects = form.getElementsByTagName("select");
      for (var k = 0; k < selects.length; k++) body[selects[k].name] = selects[k].value;
      request("POST", "/attributes", body, function () {
        item.innerHTML = "";
        item.appendChild(document.createTextNode("ご協力ありがとうございました。"));
      }, function () {
        item.innerHTML = "";
        item.appendChild(document.createTextNode("送れませんでした。"));
      });
    };
  }

  function build(config, launcher) {
    state.config = config;
    state.launcher = launcher;
    var panel = el("section", "pc-panel");
    panel.id = "pc-panel";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "false");
    panel.setAttribute("aria-labelledby", "pc-title");
    var head = el("div", "pc-head");
    var title = el("h2", "pc-title", "移住の質問チャット");
    title.id = "pc-title";
    var close = el("button", "pc-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "チャットを閉じる");
    close.onclick = function () { toggle(config, launcher, false); };
    head.appendChild(title);
    head.appendChild(close);
    var log = el("div", "pc-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-label", "会話");
    log.tabIndex = 0;
    var form = el("form", "pc-form");
    var label = el("label", "pc-label", "質問を入力");
    label.setAttribute("for", "pc-input");
    var input = el("input", "pc-input");
    input.id = "pc-input";
    input.type = "text";
    input.maxLength = 200;
    input.autocomplete = "off";
    input.setAttribute("enterkeyhint", "send");
    input.placeholder = "例: 移住支援金はいくら？";
    var submit = el("button", "pc-send", "送信");
    submit.type = "submit";
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(submit);
    form.onsubmit = function (event) {
      event.preventDefault();
      var text = input.value.replace(/^\s+|\s+$/g, "");
      if (!text) { input.focus(); return; }
      input.value = "";
      send({ message: text }, text);
    };
    panel.onkeydown = function (event) {
      if (event.key === "Escape" || event.keyCode === 27) toggle(config, launcher, false);
    };
    panel.appendChild(head);
    panel.appendChild(log);
    panel.appendChild(form);
    document.body.appendChild(panel);
    state.panel = panel; state.log = log; state.input = input; state.form = form;

    request("GET", "/config", null, function (settings) {
      state.settings = settings;
      input.maxLength = settings.max_length || 200;
      say("bot", settings.greeting);
      if (settings.categories.length) {
        say("bot", choiceList("カテゴリから選ぶ", settings.categories, showCategory));
      }
    }, fallback);
  }

  function toggle(config, launcher, open) {
    if (!state.panel) build(config, launcher);
    var show = open === undefined ? state.panel.hidden || !state.panel.className.match(/pc-open/) : open;
    state.panel.hidden = !show;
    state.panel.className = "pc-panel" + (show ? " pc-open" : "");
    launcher.setAttribute("aria-expanded", show ? "true" : "false");
    launcher.style.display = show ? "none" : "";
    if (show) state.input.focus();
    else launcher.focus();
  }

  window.PortalChat = { toggle: toggle };
})();
