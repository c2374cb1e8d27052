/* Brújula desk console: the queue, one conversation, and the staff member's actions.
   No framework and nothing from the network but this server. Text is always inserted as text. */
(function () {
  "use strict";

  var TEXTS = JSON.parse(document.getElementById("desk-texts").textContent);
  var USER = JSON.parse(document.getElementById("desk-user").textContent);
  var CSRF = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var LANGS = ["es", "en", "pt", "fr", "ht"];
  var QUEUE_EVERY_MS = 4000;
  var CONVERSATION_EVERY_MS = 3000;

  var stored = null;
  try { stored = window.localStorage.getItem("brujula_desk_lang"); } catch (e) { stored = null; }
  var lang = LANGS.indexOf(stored) >= 0 ? stored : USER.language;
  var currentRef = null;
  var currentData = null;
  var lastHistoryKey = "";
  var lastQueue = [];

  var $ = function (id) { return document.getElementById(id); };

  function t(key, values) {
    var text = (TEXTS[lang] && TEXTS[lang][key]) || (TEXTS.es && TEXTS.es[key]) || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(String(values[name])); });
    return text;
  }

  function applyTexts() {
    document.documentElement.lang = lang;
    document.title = t("desk_title");
    document.querySelectorAll("[data-i18n]").forEach(function (el) {
      if (el.id === "conversation-heading" && currentData) { return; }
      el.textContent = t(el.getAttribute("data-i18n"));
    });
    $("who").textContent = t("desk_signed_in_as", { name: USER.name });
    $("desk-language").value = lang;
    renderQueue(lastQueue);
    if (currentData) { renderConversation(currentData, true); }
  }

  function notice(text, isError) {
    var box = $("notice");
    box.textContent = text;
    box.className = isError ? "error" : "ok";
  }

  function api(method, url, body) {
    var headers = { "Accept": "application/json" };
    if (method !== "GET") {
      headers["X-CSRF-Token"] = CSRF;
      headers["Content-Type"] = "application/json";
    }
    return fetch(url, {
      method: method, credentials: "same-origin", headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      if (response.status === 401) {
        window.location.href = "/desk/login?expired=1&lang=" + lang;
        throw Object.assign(new Error("session"), { code: "session" });
      }
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw Object.assign(new Error(data.message || "error"), { code: data.error || "network" }); }
        return data;
      });
    }, function () {
      throw Object.assign(new Error("network"), { code: "network" });
    });
  }

  function errorText(error) {
    var key = "desk_err_" + error.code;
    return TEXTS.es && TEXTS.es[key] ? t(key) : (error.message || t("desk_err_network"));
  }

  function minutes(seconds) { return t("desk_minutes", { minutes: Math.floor((seconds || 0) / 60) }); }

  function reasonText(reason) { return reason ? t("desk_reason_" + reason) : ""; }

  function statusText(entry) {
    if (entry.status === "active") { return t("desk_status_active", { name: entry.staff_name || "?" }); }
    if (entry.status === "requested") { return t("desk_status_requested"); }
    return "";
  }

  function span(className, text) {
    var el = document.createElement("span");
    el.className = className;
    el.textContent = text;
    return el;
  }

  function renderQueue(list) {
    lastQueue = list || [];
    var queue = $("queue");
    var focusedRef = document.activeElement && document.activeElement.getAttribute("data-ref");
    queue.textContent = "";
    $("queue-empty").hidden = lastQueue.length > 0;
    $("queue-empty").textContent = t("desk_queue_empty");
    lastQueue.forEach(function (entry) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "entry" + (entry.urgent ? " urgent" : "") + (entry.ref === currentRef ? " selected" : "");
      button.setAttribute("data-ref", entry.ref);
      if (entry.ref === currentRef) { button.setAttribute("aria-current", "true"); }
      var title = document.createElement("span");
      title.className = "entry-title";
      if (entry.urgent) { title.appendChild(span("badge", t("desk_urgent"))); }
      title.appendChild(span("id", "#" + entry.short_id));
      title.appendChild(span("reason", reasonText(entry.reason)));
      button.appendChild(title);
      button.appendChild(span("meta", [
        t("desk_channel") + ": " + entry.channel,
        t("desk_language") + ": " + (entry.language || "?"),
        t("desk_waited", { time: minutes(entry.waited_seconds) }),
        statusText(entry)
      ].join(" · ") + (entry.followup_sent ? " · " + t("desk_followup_sent") : "")));
      var last = entry.last_messages.map(function (m) { return m.text.replace(/\s+/g, " ").slice(0, 90); });
      button.appendChild(span("last", last.join(" / ")));
      button.addEventListener("click", function () { openConversation(entry.ref, true); });
      item.appendChild(button);
      queue.appendChild(item);
      if (focusedRef && focusedRef === entry.ref) { button.focus(); }
    });
  }

  function refreshQueue() {
    return api("GET", "/desk/api/queue").then(function (data) {
      renderQueue(data.conversations);
    }).catch(function (error) {
      if (error.code !== "session") { notice(t("desk_err_network"), true); }
    });
  }

  function roleLabel(item) {
    if (item.role === "user") { return t("desk_role_user"); }
    if (item.role === "staff") { return item.staff_name || USER.name; }
    if (item.role === "desk") { return t("desk_role_desk"); }
    return t("desk_role_bot");
  }

  function renderConversation(data, force) {
    currentData = data;
    var heading = $("conversation-heading");
    heading.textContent = "#" + data.short_id + (data.urgent ? " · " + t("desk_urgent") : "") +
      (data.reason ? " · " + reasonText(data.reason) : "");
    $("conversation-meta").textContent = [
      t("desk_channel") + ": " + data.channel,
      t("desk_language") + ": " + (data.language || "?"),
      t("desk_waited", { time: minutes(data.waited_seconds) }),
      statusText(data)
    ].join(" · ");
    var requested = data.status === "requested";
    var mine = data.status === "active" && data.mine;
    $("conversation-actions").hidden = !(requested || mine);
    $("take").hidden = !requested;
    $("release").hidden = !mine;
    $("hand-back").hidden = !(requested || mine);
    $("reply-form").hidden = !mine;
    $("history-heading").hidden = false;
    var key = data.history.length + ":" + (data.history.length ? data.history[data.history.length - 1].id : "");
    if (key === lastHistoryKey && !force) { return; }
    lastHistoryKey = key;
    var list = $("history");
    list.textContent = "";
    data.history.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "msg role-" + item.role;
      var head = document.createElement("p");
      head.className = "msg-head";
      head.appendChild(span("who", roleLabel(item)));
      head.appendChild(span("when", new Date(item.at * 1000).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" })));
      li.appendChild(head);
      var text = document.createElement("p");
      text.className = "msg-text";
      text.textContent = item.text;
      li.appendChild(text);
      if (item.buttons && item.buttons.length) {
        li.appendChild(span("msg-buttons", item.buttons.map(function (b) { return "[" + b.title + "]"; }).join(" ")));
      }
      list.appendChild(li);
    });
    list.scrollTop = list.scrollHeight;
  }

  function openConversation(ref, focusHeading) {
    if (ref !== currentRef) { lastHistoryKey = ""; }
    currentRef = ref;
    return api("GET", "/desk/api/conversations/" + encodeURIComponent(ref)).then(function (data) {
      renderConversation(data, false);
      renderQueue(lastQueue);
      if (focusHeading) { $("conversation-heading").focus(); }
    }).catch(function (error) {
      if (error.code === "not_found") {
        currentRef = null;
        currentData = null;
        $("conversation-actions").hidden = true;
        $("reply-form").hidden = true;
      }
      if (error.code !== "session") { notice(errorText(error), true); }
    });
  }

  function deliveryText(delivery) {
    if (!delivery || delivery.status === "sent" || delivery.status === "in_chat") { return t("desk_sent"); }
    if (delivery.status === "next_message") { return t("desk_delivery_next"); }
    return t("desk_delivery_failed", { channel: delivery.channel });
  }

  function act(action, body) {
    if (!currentRef) { return Promise.resolve(); }
    return api("POST", "/desk/api/conversations/" + encodeURIComponent(currentRef) + "/" + action, body)
      .then(function (data) {
        notice(deliveryText(data.delivery), !data.delivery.ok);
        return openConversation(currentRef, false).then(refreshQueue);
      }).catch(function (error) {
        if (error.code !== "session") { notice(errorText(error), true); }
        throw error;
      });
  }

  $("take").addEventListener("click", function () {
    act("take").then(function () { $("reply").focus(); }, function () {});
  });
  $("release").addEventListener("click", function () { act("release").catch(function () {}); });
  $("hand-back").addEventListener("click", function () { act("handback").catch(function () {}); });
  $("reply-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var box = $("reply");
    var text = box.value.trim();
    if (!text) { notice(t("desk_err_empty"), true); box.focus(); return; }
    $("send-reply").disabled = true;
    act("reply", { text: text }).then(function () { box.value = ""; }, function () {}).then(function () {
      $("send-reply").disabled = false;
      box.focus();
    });
  });
  $("reply").addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      $("reply-form").requestSubmit();
    }
  });
  $("check-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("check-text").value.trim();
    if (!text) { notice(t("desk_err_empty"), true); return; }
    $("check-button").disabled = true;
    api("POST", "/desk/api/check-offer", { text: text, language: lang }).then(function (data) {
      var box = $("check-result");
      box.textContent = "";
      var verdict = document.createElement("p");
      verdict.textContent = data.level === "none_found" ? t("offer_none_found") : t("offer_level_" + data.level);
      box.appendChild(verdict);
      if (data.flags.length) {
        box.appendChild(span("check-found", t("desk_check_found")));
        var list = document.createElement("ul");
        data.flags.forEach(function (flag) {
          var li = document.createElement("li");
          li.appendChild(span("quote", "\u201c" + flag.quote + "\u201d "));
          li.appendChild(span("explanation", flag.explanation));
          list.appendChild(li);
        });
        box.appendChild(list);
      }
    }).catch(function (error) {
      if (error.code !== "session") { notice(errorText(error), true); }
    }).then(function () { $("check-button").disabled = false; });
  });
  $("desk-language").addEventListener("change", function (event) {
    lang = event.target.value;
    try { window.localStorage.setItem("brujula_desk_lang", lang); } catch (e) { /* private mode */ }
    applyTexts();
  });

  applyTexts();
  refreshQueue();
  window.setInterval(refreshQueue, QUEUE_EVERY_MS);
  window.setInterval(function () { if (currentRef) { openConversation(currentRef, false); } }, CONVERSATION_EVERY_MS);
})();
