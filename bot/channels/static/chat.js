/* Brújula web chat. Everything comes from this server; text is always inserted as text, never as HTML. */
(function () {
  "use strict";

  var TEXTS = JSON.parse(document.getElementById("chat-texts").textContent);
  var NAMES = JSON.parse(document.getElementById("chat-names").textContent);
  var LANGS = ["es", "en", "pt", "fr", "ht"];
  var POLL_EVERY_MS = 3000;  // while a person is or will be with the user: their messages arrive by polling
  var POLL_IDLE_MS = 30000;  // otherwise nothing can arrive unasked; a slow check covers a second open tab
  var URL_PATTERN = /(https?:\/\/[^\s<>"')]+)/g;

  var $ = function (id) { return document.getElementById(id); };
  var log = $("log");
  var box = $("message");
  var seen = {};
  var cursor = 0;
  var token = null;
  var polling = false;
  var handoff = null;
  var lastPoll = 0;

  function storage(kind) {
    try { return window[kind]; } catch (e) { return null; }
  }

  var params = new URLSearchParams(window.location.search);
  var savedLang = storage("localStorage") && storage("localStorage").getItem("brujula_chat_lang");
  // The browser's own languages, in the person's order of preference: the first of the five wins.
  function browserLanguage() {
    var wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    for (var i = 0; i < wanted.length; i++) {
      var code = String(wanted[i] || "").slice(0, 2).toLowerCase();
      if (LANGS.indexOf(code) >= 0) { return code; }
    }
    return null;
  }
  // ?lang= first, then the language chosen on this device, then the browser's, then the server's guess.
  var lang = LANGS.indexOf(params.get("lang")) >= 0 ? params.get("lang")
    : (LANGS.indexOf(savedLang) >= 0 ? savedLang : (browserLanguage() || document.documentElement.lang));
  if (LANGS.indexOf(lang) < 0) { lang = "es"; }

  function t(key, values) {
    var text = (TEXTS[lang] && TEXTS[lang][key]) || (TEXTS.es && TEXTS.es[key]) || key;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(String(values[name])); });
    return text;
  }

  function newToken() {
    var bytes = new Uint8Array(24);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function loadToken() {
    var session = storage("sessionStorage");
    token = session && session.getItem("brujula_chat_token");
    if (!token || !/^[A-Za-z0-9_-]{32,64}$/.test(token)) {
      token = newToken();
      if (session) { session.setItem("brujula_chat_token", token); }
    }
  }

  function applyTexts() {
    document.documentElement.lang = lang;
    document.title = t("chat_title");
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t(el.getAttribute("data-i18n")); });
    $("language").value = lang;
  }

  function setStatus(data) {
    handoff = data.handoff || null;
    var status = $("status");
    var text = "";
    if (data.handoff === "requested") { text = t("chat_waiting_person"); }
    if (data.handoff === "active") { text = t("chat_with_person"); }
    status.hidden = !text;
    status.textContent = text;
    document.body.classList.toggle("with-person", data.handoff === "active");
  }

  function showError(text) { $("error").textContent = text || ""; }

  function appendText(parent, text) {
    var paragraph = document.createElement("p");
    paragraph.className = "text";
    text.split(URL_PATTERN).forEach(function (part, index) {
      if (index % 2 === 1) {
        var link = document.createElement("a");
        link.href = part;
        link.textContent = part;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        paragraph.appendChild(link);
      } else if (part) {
        paragraph.appendChild(document.createTextNode(part));
      }
    });
    parent.appendChild(paragraph);
  }

  function speaker(item) {
    if (item.role === "user") { return t("chat_you"); }
    if (item.role === "staff") { return t("chat_staff", { name: item.staff_name || "" }); }
    return "Brújula";
  }

  function render(item) {
    if (item.id && seen[item.id]) { return; }
    if (item.id) { seen[item.id] = true; }
    var li = document.createElement("li");
    li.className = "msg " + (item.role === "user" ? "from-user" : item.role === "staff" ? "from-staff" : "from-bot");
    if (item.kind) { li.className += " notice"; }
    var who = document.createElement("p");
    who.className = "who";
    who.textContent = speaker(item);
    li.appendChild(who);
    appendText(li, item.text || "");
    if (item.buttons && item.buttons.length) {
      var group = document.createElement("div");
      group.className = "buttons";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", (item.text || "").split("\n")[0].slice(0, 80));
      item.buttons.forEach(function (button) {
        var el = document.createElement("button");
        el.type = "button";
        el.textContent = button.title;
        el.addEventListener("click", function () { send(button.payload, { display: button.title }); });
        group.appendChild(el);
      });
      li.appendChild(group);
    }
    log.appendChild(li);
    li.scrollIntoView({ block: "end" });
  }

  function request(method, url, body) {
    return fetch(url, {
      method: method,
      headers: { "Accept": "application/json", "Content-Type": "application/json", "X-Chat-Token": token },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { throw Object.assign(new Error(data.message || "error"), { status: response.status }); }
        return data;
      });
    });
  }

  function send(text, options) {
    options = options || {};
    text = (text || "").trim();
    if (!text) { return Promise.resolve(); }
    showError("");
    var display = options.display !== undefined ? options.display : null;
    if (!options.hidden) {
      render({ role: "user", text: display !== null ? display : text, id: "local-" + Date.now() + Math.random() });
    }
    $("send").setAttribute("aria-busy", "true");
    var body = { text: text, language: lang };
    if (display !== null) { body.display_text = display; }
    if (options.hidden) { body.display_text = ""; }
    return request("POST", "/chat/api/messages", body).then(function (data) {
      data.messages.forEach(render);
      setStatus(data);
      // The person wrote in another language (or asked for one): the page's labels follow the bot.
      if (data.language && data.language !== lang && TEXTS[data.language]) {
        lang = data.language;
        applyTexts();
      }
    }).catch(function (error) {
      showError(error.status ? error.message : t("chat_offline"));
      if (options.typed) { box.value = text; }
    }).then(function () {
      $("send").removeAttribute("aria-busy");
    });
  }

  function poll() {
    var every = handoff ? POLL_EVERY_MS : POLL_IDLE_MS;
    if (polling || Date.now() - lastPoll < every - 100) { return; }
    polling = true;
    lastPoll = Date.now();
    request("GET", "/chat/api/updates?after=" + encodeURIComponent(cursor)).then(function (data) {
      data.messages.forEach(render);
      setStatus(data);
      cursor = data.now;
    }).catch(function () { /* offline for a moment: the next poll tries again */ }).then(function () {
      polling = false;
    });
  }

  function start() {
    log.textContent = "";
    seen = {};
    return request("GET", "/chat/api/history").then(function (data) {
      cursor = data.now;
      data.messages.forEach(render);
      setStatus(data);
      // The first screen: a conversation with nothing in it yet opens with the greeting and the menu, in
      // the page's language; a reload of a conversation that has messages only shows them again.
      if (!data.messages.length) { return send("/greet", { hidden: true }); }
    }).catch(function () { showError(t("chat_offline")); });
  }

  $("composer").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = box.value;
    box.value = "";
    resize();
    send(text, { typed: true });
    box.focus();
  });

  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      $("composer").requestSubmit();
    }
  });

  function resize() {
    box.style.height = "auto";
    box.style.height = Math.min(box.scrollHeight, 160) + "px";
  }
  box.addEventListener("input", resize);

  $("language").addEventListener("change", function (event) {
    lang = event.target.value;
    var local = storage("localStorage");
    if (local) { local.setItem("brujula_chat_lang", lang); }
    applyTexts();
    send(NAMES[lang]);  // the bot switches language the way a person asks for it
  });

  $("new-conversation").addEventListener("click", function () {
    if (!window.confirm(t("chat_new_confirm"))) { return; }
    var session = storage("sessionStorage");
    token = newToken();
    if (session) { session.setItem("brujula_chat_token", token); }
    setStatus({ handoff: null });
    start().then(function () { box.focus(); });
  });

  $("share-location").addEventListener("click", function () {
    if (!navigator.geolocation) { showError(t("chat_location_failed")); return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      var lat = Math.round(position.coords.latitude * 1000) / 1000;
      var lon = Math.round(position.coords.longitude * 1000) / 1000;
      send('/share_location{"lat": ' + lat + ', "lon": ' + lon + "}", { display: t("chat_location_shared") });
    }, function () {
      showError(t("chat_location_failed"));
    }, { enableHighAccuracy: false, timeout: 15000, maximumAge: 300000 });
  });

  loadToken();
  applyTexts();
  start();
  window.setInterval(poll, POLL_EVERY_MS);
})();
