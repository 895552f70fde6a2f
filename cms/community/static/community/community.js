/* Progressive enhancement of the community pages: posting, commenting and
   pressing stamps without a page reload. The pages work without this file; it
   submits the same forms with fetch (X-Requested-With: fetch) and puts the HTML
   fragment the server answers with into the page. No framework, no build step. */
(function () {
  "use strict";
  if (!window.fetch || !window.FormData || !document.querySelector) {
    return;
  }

  function announce(text) {
    var status = document.getElementById("community-status");
    if (status && text) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 30);
    }
  }

  function element(html) {
    var template = document.createElement("template");
    template.innerHTML = (html || "").trim();
    return template.content.firstElementChild;
  }

  function send(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) {
      data.append(submitter.name, submitter.value);
    }
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    return fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: {
        "X-Requested-With": "fetch",
        "X-CSRFToken": token ? token.value : ""
      }
    }).then(function (response) {
      return response.json().then(function (body) {
        return { ok: response.ok, status: response.status, body: body };
      });
    });
  }

  function onReaction(form, result) {
    var current = form.closest("[data-reactions]");
    var pressed = form.querySelector("[name=stamp]").value;
    var fresh = element(result.body.html);
    if (current && fresh) {
      current.parentNode.replaceChild(fresh, current);
      var again = fresh.querySelector("input[name=stamp][value='" + pressed + "']");
      if (again) {
        var button = again.form.querySelector("button");
        button.focus();
        announce(button.getAttribute("aria-pressed") === "true"
          ? "リアクションしました" : "リアクションを取り消しました");
      }
    }
  }

  function onComment(form, result) {
    var node = element(result.body.html);
    if (!node) { return; }
    var list;
    if (result.body.parent) {
      var parent = document.getElementById("comment-" + result.body.parent);
      list = parent && parent.querySelector(".replies");
      if (parent && !list) {
        list = document.createElement("ul");
        list.className = "replies";
        parent.appendChild(list);
      }
    }
    list = list || document.getElementById("comment-list");
    list.appendChild(node);
    form.reset();
    var details = form.closest("details");
    if (details) { details.open = false; }
    var empty = document.getElementById("no-comments");
    if (empty) { empty.hidden = true; }
    announce(result.body.message);
  }

  function onPost(form, result) {
    var holder = form.closest("[data-post-form]");
    if (result.body.html) {
      var list = document.getElementById("post-list");
      var node = element(result.body.html);
      if (list && node) {
        list.insertBefore(node, list.firstChild);
        var empty = document.getElementById("no-posts");
        if (empty) { empty.hidden = true; }
      }
    }
    if (holder && result.body.form) {
      holder.innerHTML = result.body.form;
    }
    announce(result.body.message || result.body.error);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest && event.target.closest("form[data-enhance]");
    if (!form) { return; }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") { return; }
    form.setAttribute("aria-busy", "true");
    var kind = form.getAttribute("data-enhance");
    send(form, event.submitter).then(function (result) {
      form.removeAttribute("aria-busy");
      if (result.status === 401 && result.body.login) {
        window.location.href = result.body.login;
        return;
      }
      if (kind === "post") {
        onPost(form, result);
      } else if (!result.ok) {
        announce(result.body.error || "送信できませんでした。");
        if (result.body.login) { window.location.href = result.body.login; }
      } else if (kind === "react") {
        onReaction(form, result);
      } else if (kind === "comment") {
        onComment(form, result);
      }
    }).catch(function () {
      // The network or the answer failed: send the form the ordinary way.
      form.removeAttribute("aria-busy");
      form.removeAttribute("data-enhance");
      form.submit();
    });
  });
}());
