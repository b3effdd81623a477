// left4me pages: small progressive enhancements on top of HTMX. Every page works without this file;
// it adds the CSRF header to HTMX requests, copy buttons, pending states, error messages for HTMX
// actions, times in the viewer's time zone, and live logs that follow new lines unless the reader scrolled up.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function showMessage(text, kind) {
    var flash = document.getElementById("flash");
    if (!flash) return;
    var p = document.createElement("p");
    p.className = kind;
    p.setAttribute("role", kind === "error" ? "alert" : "status");
    p.textContent = text;
    flash.replaceChildren(p);
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var message = "The request failed (HTTP " + xhr.status + "). Reload the page and try again.";
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.error && body.error.message) message = body.error.message;
    } catch (ignored) { /* not JSON: keep the generic message */ }
    if (xhr.status === 401) message = "Your session ended. Reload the page to log in again.";
    if (xhr.status === 403 && /CSRF/.test(message)) message = "This page is out of date. Reload it and try again.";
    showMessage(message, "error");
  });

  document.addEventListener("htmx:sendError", function () {
    showMessage("The web app cannot be reached. Check your connection; the page retries by itself.", "error");
  });

  // Copy buttons: data-copy holds the text.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var text = button.getAttribute("data-copy");
    var done = function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text, done); });
    } else {
      fallbackCopy(text, done);
    }
  });

  function fallbackCopy(text, done) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); done(); } catch (ignored) { /* the text stays visible to copy by hand */ }
    area.remove();
  }

  // Plain forms: confirm when asked, then a pending state on the button that sent them.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (form.dataset.submitting) {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
    var button = event.submitter || form.querySelector('button[type="submit"], button:not([type])');
    if (button) {
      button.setAttribute("aria-busy", "true");
      button.classList.add("pending");
      if (form.dataset.pending && (!button.name || button.value === "save")) button.textContent = form.dataset.pending;
    }
  });
  // A page restored from the back/forward cache must not keep a pending form.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      delete form.dataset.submitting;
    });
  });

  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form) form.requestSubmit();
  });

  // Live logs: follow new lines while the reader is at the bottom; pause when they scroll up.
  var kMaxLines = 5000;
  function nearBottom(log) { return log.scrollHeight - log.scrollTop - log.clientHeight < 24; }
  function followButton(log) { return document.querySelector('[data-follow-for="' + log.id + '"]'); }
  function setFollowing(log, following) {
    log.dataset.following = following ? "1" : "";
    var button = followButton(log);
    if (button) button.hidden = following;
  }
  function setUpLog(log) {
    if (log.dataset.ready) return;
    log.dataset.ready = "1";
    setFollowing(log, true);
    log.addEventListener("scroll", function () { setFollowing(log, nearBottom(log)); });
    var button = followButton(log);
    if (button) {
      button.addEventListener("click", function () {
        log.scrollTop = log.scrollHeight;
        setFollowing(log, true);
      });
    }
    // A (re)connection replays the recent lines: start from a clean slate.
    log.addEventListener("htmx:sseOpen", function () { log.replaceChildren(); });
    log.addEventListener("htmx:sseMessage", function () {
      // An install's progress lines of one phase update one line in place.
      var last = log.lastElementChild;
      var before = last && last.previousElementSibling;
      if (before && last.classList.contains("progress") && before.classList.contains("progress") &&
          before.dataset.progress === last.dataset.progress) before.remove();
      while (log.childElementCount > kMaxLines) log.firstElementChild.remove();
      if (log.dataset.following) log.scrollTop = log.scrollHeight;
    });
  }
  // A console stream ends when the server has no console yet (never started) or lost it (deleted):
  // elements with data-reconnect try again after that many milliseconds with a fresh connection.
  document.addEventListener("htmx:sseClose", function (event) {
    var log = event.target;
    if (event.detail.type !== "message" || !log.dataset || !log.dataset.reconnect) return;
    setTimeout(function () {
      if (!document.body.contains(log)) return;
      var fresh = log.cloneNode(false);
      delete fresh.dataset.ready;
      log.replaceWith(fresh);
      htmx.process(fresh);
      setUpLog(fresh);
    }, Number(log.dataset.reconnect));
  });

  // Times: the page sends UTC (<time datetime="...Z" title="... UTC">); show them in the viewer's time zone, one
  // format everywhere, the UTC time staying in the title.
  var timeFormat = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit",
    timeZoneName: "short"
  });
  function localTimes(root) {
    root.querySelectorAll("time[datetime]").forEach(function (element) {
      if (element.dataset.local) return;
      var when = new Date(element.getAttribute("datetime"));
      if (isNaN(when.getTime())) return;
      element.textContent = timeFormat.format(when);
      element.dataset.local = "1";
    });
  }

  function setUpAll(root) {
    var scope = root.querySelectorAll ? root : document;
    scope.querySelectorAll("[data-autoscroll]").forEach(setUpLog);
    localTimes(scope);
    var summary = document.getElementById("error-summary");
    if (summary && !summary.dataset.focused) {
      summary.dataset.focused = "1";
      summary.focus();
    }
  }
  document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  document.addEventListener("htmx:load", function (event) { setUpAll(event.target); });
})();
