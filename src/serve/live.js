// quire serve: live reload. Injected into HTML responses by `quire serve` only; never part
// of a built site. Listens to the server's events and
// - reloads the page when the site changed, keeping the scroll position;
// - swaps the stylesheets in place when only CSS changed;
// - shows the build errors over the page until the next good build.
(function () {
  "use strict";
  var me = document.currentScript;
  var build = Number(me.dataset.build);
  var pageBuild = Number(me.dataset.pageBuild);
  var key = "quire-serve-scroll:" + location.pathname;

  function restoreScroll() {
    var saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(key) || "null");
    } catch (e) {
      return;
    }
    if (!saved) return;
    window.scrollTo(saved.x, saved.y);
    // Again once images and fonts are in, which may have moved things; then forget it.
    window.addEventListener("load", function () {
      window.scrollTo(saved.x, saved.y);
      try {
        sessionStorage.removeItem(key);
        history.scrollRestoration = "auto";
      } catch (e) {}
    });
  }
  restoreScroll();

  function reload() {
    try {
      sessionStorage.setItem(key, JSON.stringify({ x: window.scrollX, y: window.scrollY }));
      // We restore the position ourselves; the browser's own restoring would fight it.
      history.scrollRestoration = "manual";
    } catch (e) {}
    location.reload();
  }

  function swapStylesheets() {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.href, location.href);
      if (url.origin !== location.origin) return;
      url.searchParams.set("quire-build", String(build));
      var fresh = link.cloneNode();
      fresh.href = url.href;
      // The old sheet stays until the new one has loaded: no flash of unstyled page.
      fresh.addEventListener("load", function () { link.remove(); });
      fresh.addEventListener("error", function () { fresh.remove(); });
      link.after(fresh);
    });
  }

  var STYLE =
    ":host{all:initial;display:block;position:fixed;inset:0;z-index:2147483647}" +
    ".backdrop{position:absolute;inset:0;overflow:auto;" +
    "background:rgba(10,10,10,.8);padding:4vh 1rem;box-sizing:border-box}" +
    ".panel{max-width:60rem;margin:0 auto;background:#1d1f21;color:#f2f2f2;" +
    "border-left:6px solid #ff8a8a;border-radius:6px;padding:1rem 1.25rem;" +
    "font:16px/1.5 system-ui,sans-serif;box-shadow:0 8px 32px rgba(0,0,0,.5)}" +
    "h2{margin:0 0 .5rem;font-size:1.2rem;color:#ffb3b3}" +
    ".where{margin:1rem 0 .25rem;font-weight:600;font-family:ui-monospace,monospace;overflow-wrap:anywhere}" +
    ".message{margin:0 0 .5rem;overflow-wrap:anywhere}" +
    "pre{margin:0;padding:.75rem;background:#111314;color:#f2f2f2;border-radius:4px;" +
    "font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;" +
    "white-space:pre;overflow-x:auto}" +
    "pre:focus-visible{outline:3px solid #8ab4ff;outline-offset:2px}" +
    ".note{margin:1rem 0 0;color:#d6d6d6}" +
    "button{margin-top:1rem;font:inherit;padding:.3rem .9rem;border-radius:4px;" +
    "border:1px solid #f2f2f2;background:#f2f2f2;color:#1d1f21;cursor:pointer}" +
    "button:focus-visible{outline:3px solid #8ab4ff;outline-offset:2px}";

  var host = null;

  function showErrors(errors) {
    if (!host) {
      host = document.createElement("div");
      host.id = "quire-serve-overlay";
      var shadow = host.attachShadow({ mode: "open" });
      shadow.innerHTML =
        "<style>" + STYLE + "</style>" +
        '<div class="backdrop"><section class="panel" role="alert" aria-labelledby="quire-serve-title">' +
        '<h2 id="quire-serve-title"></h2><div class="errors"></div>' +
        '<p class="note">The page shows the last version that built. It updates by itself once the error is fixed.</p>' +
        '<button type="button">Dismiss</button></section></div>';
      shadow.querySelector("button").addEventListener("click", hideErrors);
    }
    var shadowRoot = host.shadowRoot;
    shadowRoot.getElementById("quire-serve-title").textContent =
      errors.length === 1 ? "The build failed" : "The build failed with " + errors.length + " errors";
    var list = shadowRoot.querySelector(".errors");
    list.textContent = "";
    errors.forEach(function (error) {
      if (error.file) {
        var where = document.createElement("p");
        where.className = "where";
        where.textContent = error.file + (error.line ? ":" + error.line + ":" + error.column : "");
        list.appendChild(where);
      }
      var message = document.createElement("p");
      message.className = "message";
      message.textContent = error.message;
      list.appendChild(message);
      // Unwrapped, so the caret stays under what it points at; scrolls sideways instead
      // (and so must be focusable, to scroll from the keyboard).
      var pre = document.createElement("pre");
      pre.tabIndex = 0;
      pre.textContent = error.rendered || error.message;
      list.appendChild(pre);
    });
    if (!host.isConnected) document.body.appendChild(host);
  }

  function hideErrors() {
    if (host) host.remove();
  }

  function onStatus(event) {
    var status;
    try {
      status = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (status.errors && status.errors.length) {
      showErrors(status.errors);
      return;
    }
    hideErrors();
    if (status.page_build !== pageBuild) {
      reload();
    } else if (status.build !== build) {
      build = status.build;
      // A page whose style is inline (the 404 page) has no stylesheet to swap.
      if (document.querySelector('link[rel~="stylesheet"]')) swapStylesheets();
      else reload();
    }
  }

  if (!window.EventSource) return;
  var source = null;
  function connect() {
    source = new EventSource("/__quire/events");
    ["hello", "reload", "css", "error", "ok"].forEach(function (name) {
      source.addEventListener(name, onStatus);
    });
  }
  connect();
  // Close on navigation so the server keeps no dead stream; a page restored from the
  // back-forward cache connects again (and its "hello" brings it up to date).
  window.addEventListener("pagehide", function () { source.close(); });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) connect();
  });
})();
