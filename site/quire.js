/* js/00-core.js */
/* quire's reader script: progressive enhancement only. Every page works without it. */
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  // In-page links. Without this script every jump is instant. With it, a hop of up to two
  // screens glides, so the reader sees which way the page moved; a longer one still jumps,
  // since nobody should watch thousands of pixels of animation. Reduced motion: always jump.
  var GLIDE_SCREENS = 2;
  var settle = null;
  function reduced() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }
  function stopGliding() {
    root.classList.remove("glide");
    window.removeEventListener("scrollend", stopGliding);
    if (settle) window.clearTimeout(settle);
    settle = null;
  }
  document.addEventListener("click", function (e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    var a = e.target.closest ? e.target.closest("a[href*='#']") : null;
    if (!a || a.target || !a.hash) return;
    if (a.href.split("#")[0] !== location.href.split("#")[0]) return;
    var target = document.getElementById(decodeURIComponent(a.hash.slice(1)));
    if (!target) return;
    stopGliding();
    var distance = Math.abs(target.getBoundingClientRect().top);
    if (reduced() || distance > GLIDE_SCREENS * window.innerHeight) return;
    // The browser's own fragment navigation does the scrolling (so :target and history
    // stay right); the class only makes it smooth, and goes once the scroll has ended.
    root.classList.add("glide");
    window.addEventListener("scrollend", stopGliding);
    settle = window.setTimeout(stopGliding, 3000);
  });
})();
/* js/20-grid.js */
/* The grid: a cell opens its panel beside the grid (below it on a narrow screen).
   Without this script every cell is a link to cells/<id>.html, and that still works:
   a modified click (new tab, new window) is left to the browser.
   The URL hash names the open cell (#cell-<id>), so links and the Back button work;
   the panels are already in the page (no data is fetched), so file:// works too. */
(function () {
  "use strict";
  var table = document.querySelector("table.grid-table");
  var figure = table && table.closest(".grid");
  var host = figure && figure.querySelector(".grid-panel-host");
  if (!host) return;

  var links = Array.prototype.slice.call(table.querySelectorAll("a.grid-cell-link"));
  var rows = Number(table.getAttribute("data-rows"));
  var columns = Number(table.getAttribute("data-columns"));
  var byId = {};
  var panels = {};
  links.forEach(function (a) { byId[a.getAttribute("data-cell")] = a; });
  document.querySelectorAll(".cell-panel[data-cell]").forEach(function (panel) {
    var id = panel.getAttribute("data-cell");
    if (!byId[id]) return;
    panels[id] = panel;
    panel.hidden = true;
    host.appendChild(panel);
    byId[id].setAttribute("aria-controls", panel.id);
    byId[id].setAttribute("aria-expanded", "false");
  });

  // Below 72rem the panel is a sheet at the bottom of the screen (20-grid.css): the grid
  // stays in view above it, and focus moves into it.
  var WIDE = window.matchMedia("(min-width: 72rem)");
  var openId = null;
  // Where focus goes when the panel closes: the cell, or the prose link that opened it.
  var returnTo = null;

  function cellAt(row, column) {
    if (row < 0 || column < 0 || row >= rows || column >= columns) return null;
    return links[row * columns + column] || null;
  }

  // Roving tabindex: the grid is one tab stop; arrow keys move within it.
  function setCurrent(link) {
    links.forEach(function (a) { a.tabIndex = a === link ? 0 : -1; });
  }

  function cellHash(id) { return "#cell-" + id; }

  function hashCell() {
    var m = /^#cell-(.+)$/.exec(location.hash);
    if (!m) return null;
    var id = decodeURIComponent(m[1]);
    return panels[id] ? id : null;
  }

  function urlWithout() { return location.href.split("#")[0]; }

  // Brings the panel into view when the reader can't see its top.
  function reveal(panel) {
    var box = panel.getBoundingClientRect();
    var view = window.innerHeight || document.documentElement.clientHeight;
    if (box.top < 0 || box.top > view * 0.6) {
      var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      panel.scrollIntoView({ block: "start", behavior: reduce ? "auto" : "smooth" });
    }
  }

  // Scrolls the page (at once) so that the tapped cell is not hidden under the sheet.
  function keepAboveSheet(el) {
    var sheet = host.getBoundingClientRect();
    var r = el.getBoundingClientRect();
    var room = sheet.top - 8;
    if (r.bottom > room) window.scrollBy({ top: r.bottom - room, behavior: "instant" });
    else if (r.top < 0) window.scrollBy({ top: r.top - 8, behavior: "instant" });
  }

  function show(id) {
    Object.keys(panels).forEach(function (other) {
      var on = other === id;
      panels[other].hidden = !on;
      byId[other].setAttribute("aria-expanded", on ? "true" : "false");
      byId[other].parentNode.classList.toggle("is-open", on);
    });
    host.hidden = id === null;
    figure.classList.toggle("grid-open", id !== null);
    openId = id;
    if (id !== null) setCurrent(byId[id]);
  }

  // how.history "none": we are following the URL, not changing it.
  function open(id, how) {
    var panel = panels[id];
    if (!panel) return;
    var wasOpen = openId !== null;
    show(id);
    if (how.history !== "none" && location.hash !== cellHash(id)) {
      // One history entry per visit to the grid: switching cells replaces it, so Back
      // closes the panel. `pushed` says whether that entry is ours to go back from.
      if (wasOpen && hashCell() !== null) {
        var pushed = Boolean(history.state && history.state.pushed);
        history.replaceState({ quireCell: id, pushed: pushed }, "", cellHash(id));
      } else {
        history.pushState({ quireCell: id, pushed: true }, "", cellHash(id));
      }
    }
    if (!WIDE.matches) host.scrollTop = 0;
    if (how.focusPanel || (!WIDE.matches && how.reveal)) {
      var title = panel.querySelector(".cell-title");
      if (title) title.focus({ preventScroll: true });
    }
    if (how.reveal) {
      if (WIDE.matches) reveal(panel);
      else keepAboveSheet(returnTo && document.contains(returnTo) ? returnTo : byId[id]);
    }
  }

  function close(how) {
    if (openId === null) return;
    var id = openId;
    var focusInside = host.contains(document.activeElement);
    show(null);
    if (how.history !== "none" && hashCell() === id) {
      if (history.state && history.state.pushed && history.state.quireCell === id) {
        history.back();
      } else {
        history.replaceState(null, "", urlWithout());
      }
    }
    var target = returnTo && document.contains(returnTo) ? returnTo : byId[id];
    returnTo = null;
    if (how.focus || focusInside) target.focus();
  }

  function toggleFromGrid(link) {
    var id = link.getAttribute("data-cell");
    returnTo = link;
    if (openId === id) {
      close({ focus: true });
    } else {
      open(id, { reveal: true });
    }
  }

  function modified(e) {
    return e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey;
  }

  table.addEventListener("click", function (e) {
    var link = e.target.closest("a.grid-cell-link");
    if (!link || modified(e)) return;
    e.preventDefault();
    toggleFromGrid(link);
  });

  table.addEventListener("focusin", function (e) {
    var link = e.target.closest("a.grid-cell-link");
    if (link) setCurrent(link);
  });

  table.addEventListener("keydown", function (e) {
    var link = e.target.closest("a.grid-cell-link");
    if (!link || e.altKey || e.metaKey) return;
    var r = Number(link.getAttribute("data-row"));
    var c = Number(link.getAttribute("data-column"));
    var next = null;
    switch (e.key) {
      case "ArrowLeft": next = cellAt(r, c - 1); break;
      case "ArrowRight": next = cellAt(r, c + 1); break;
      case "ArrowUp": next = cellAt(r - 1, c); break;
      case "ArrowDown": next = cellAt(r + 1, c); break;
      case "Home": next = e.ctrlKey ? cellAt(0, 0) : cellAt(r, 0); break;
      case "End": next = e.ctrlKey ? cellAt(rows - 1, columns - 1) : cellAt(r, columns - 1); break;
      case " ":
      case "Spacebar":
        e.preventDefault();
        toggleFromGrid(link);
        return;
      default: return;
    }
    e.preventDefault();
    if (next) {
      setCurrent(next);
      next.focus();
    }
  });

  host.addEventListener("click", function (e) {
    if (e.target.closest(".cell-panel-close")) close({ focus: true });
  });

  // Escape closes the panel when focus is in the grid or the panel (or nowhere).
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape" || openId === null || e.defaultPrevented) return;
    var at = document.activeElement;
    if (at && at !== document.body && !figure.contains(at) && at !== returnTo) return;
    e.preventDefault();
    close({ focus: true });
  });

  // Links in the prose (and in summaries) that name a cell open its panel in place.
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a.cell-link[data-cell], a.cell-neighbour[data-cell]");
    if (!link || modified(e)) return;
    var id = link.getAttribute("data-cell");
    if (!panels[id]) return;
    e.preventDefault();
    // From a panel's own links, closing returns to the grid's cell, not into a hidden panel.
    returnTo = host.contains(link) ? byId[id] : link;
    open(id, { focusPanel: true, reveal: true });
  });

  // The URL leads: Back, Forward, a typed hash or a link to #cell-<id>.
  function follow() {
    var id = hashCell();
    if (id !== null && id !== openId) {
      open(id, { history: "none", reveal: true });
    } else if (id === null && openId !== null) {
      close({ history: "none" });
    }
  }
  window.addEventListener("popstate", follow);
  window.addEventListener("hashchange", follow);

  setCurrent(links[0]);
  var initial = hashCell();
  if (initial !== null) {
    open(initial, { history: "none" });
    // After the browser's own jump to the fragment (the cell), show the panel's top.
    window.addEventListener("load", function () {
      if (WIDE.matches) reveal(panels[initial]);
      else keepAboveSheet(byId[initial]);
    });
  }
})();

/* Grid labels whole: on a narrow screen a long word ("interpretability", "Sharpening")
   can be wider than its column. Rather than let it break mid-word, the table's type is
   made smaller, step by step down to FLOOR of its size, until no word of any label is
   split across lines (a hyphenated word may still break after its hyphen). Below the
   floor the CSS's own fallback (hyphens, then a break) stands. */
(function () {
  "use strict";
  var FLOOR = 0.75;
  var STEP = 0.05;
  var tables = Array.prototype.slice.call(document.querySelectorAll("table.grid-table"));
  if (!tables.length) return;

  // Whether a word of the table's text runs over two lines.
  function splits(table) {
    var walker = document.createTreeWalker(table, NodeFilter.SHOW_TEXT);
    var range = document.createRange();
    var word = /[^\s-]+-?/g;
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var m;
      word.lastIndex = 0;
      while ((m = word.exec(node.data))) {
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        var lines = 0;
        var last = null;
        var rects = range.getClientRects();
        for (var i = 0; i < rects.length; i++) {
          if (rects[i].width === 0) continue;
          if (last === null || Math.abs(rects[i].top - last) > 1) lines++;
          last = rects[i].top;
        }
        if (lines > 1) return true;
      }
    }
    return false;
  }

  function fit() {
    tables.forEach(function (table) {
      if (!table.offsetWidth) return;
      var scale = 1;
      table.style.removeProperty("--grid-fit");
      while (scale - STEP >= FLOOR - 1e-9 && splits(table)) {
        scale = Math.round((scale - STEP) * 100) / 100;
        table.style.setProperty("--grid-fit", String(scale));
      }
      table.classList.toggle("is-fitted", scale < 1);
    });
  }

  var pending = false;
  function refit() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; fit(); });
  }
  fit();
  window.addEventListener("resize", refit);
  window.addEventListener("load", refit);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(refit);
})();
/* js/30-footnotes.js */
/* Footnotes: a popover next to the marker on hover, focus or tap, and sidenotes in the
   margin on wide screens. Without this script (or without popover support) a marker is a
   plain link to the numbered note at the end, which links back to every reference.

   WCAG 1.4.13: the popover stays while the pointer is over the marker or the popover
   (it hides after a short delay, so the pointer can cross the gap), Escape dismisses it,
   and it is placed and sized to stay inside the viewport. A tap or click pins it open
   until Escape, a tap elsewhere, or another tap on the marker.

   Wide screens (the margin is free from 72rem, see 00-base.css): every note also sits
   in the margin as a sidenote, level with its marker (layout() below; cut short with a
   "more" where the next marker is close). There, hover, focus and a click highlight the
   sidenote when it is fully on screen, and open the popover when it is not.

   Phones: a note taller than 40% of the screen opens as a sheet along the bottom, and
   every note has a Close button. On a touch screen only a tap elsewhere closes a note:
   starting to scroll does not, and a note opened by a tap stays while the page scrolls. */
(function () {
  "use strict";
  if (!("popover" in HTMLElement.prototype)) return;
  var markers = Array.prototype.slice.call(
    document.querySelectorAll("sup.fnref a[data-note]")
  );
  if (!markers.length) return;

  var WIDE = window.matchMedia("(min-width: 72rem)");
  // A phone: a note taller than this share of the screen opens as a bottom sheet.
  var SMALL = window.matchMedia("(max-width: 40rem)");
  var SHEET_SHARE = 0.4;
  var HIDE_DELAY = 300;
  var GAP = 6;
  var EDGE = 8;

  var current = null; // { marker, pop, side, pinned, shown: "popover" | "sidenote" }
  var hideTimer = 0;
  var sidenotes = {}; // note id -> sidenote element
  var quiet = null; // a marker that Escape closed: its focus must not reopen the note
  var touched = null; // a marker a finger is pressing

  /* The note's content without its back-links, ids removed so nothing is duplicated. */
  function noteContent(li) {
    var frag = document.createDocumentFragment();
    Array.prototype.forEach.call(li.children, function (child) {
      if (child.classList.contains("backrefs")) return;
      var copy = child.cloneNode(true);
      copy.removeAttribute("id");
      Array.prototype.forEach.call(copy.querySelectorAll("[id]"), function (el) {
        el.removeAttribute("id");
      });
      frag.appendChild(copy);
    });
    return frag;
  }

  function setup(marker, index) {
    var li = document.getElementById(marker.getAttribute("data-note"));
    var sup = marker.parentNode;
    if (!li || !sup) return;
    var number = li.getAttribute("data-number") || marker.textContent;

    var pop = document.createElement("div");
    pop.className = "fn-popover";
    pop.id = "fn-popover-" + index;
    pop.setAttribute("popover", "manual");
    pop.setAttribute("role", "note");
    pop.setAttribute("aria-label", "Footnote " + number);
    var head = document.createElement("p");
    head.className = "fn-popover-number";
    head.textContent = "Note " + number;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "fn-popover-close";
    close.setAttribute("aria-label", "Close note " + number);
    close.textContent = "Close";
    var bar = document.createElement("div");
    bar.className = "fn-popover-bar";
    bar.appendChild(head);
    bar.appendChild(close);
    pop.appendChild(bar);
    pop.appendChild(noteContent(li));
    sup.parentNode.insertBefore(pop, sup.nextSibling);
    marker.setAttribute("aria-expanded", "false");
    marker.setAttribute("aria-controls", pop.id);

    var side = sidenotes[li.id];
    if (!side) {
      side = document.createElement("span");
      side.className = "sidenote";
      side.setAttribute("aria-hidden", "true");
      side.setAttribute("data-note", li.id);
      var num = document.createElement("span");
      num.className = "sidenote-number";
      num.textContent = number;
      side.appendChild(num);
      side.appendChild(noteContent(li));
      // Shown when the note is cut short (see layout): unfolds it in place, and folds
      // it again. Visual only, like the sidenote; keyboards use the marker.
      var more = document.createElement("button");
      more.type = "button";
      more.className = "sidenote-more";
      more.textContent = "more";
      side.appendChild(more);
      Array.prototype.forEach.call(side.querySelectorAll("a, button, [tabindex]"), function (el) {
        el.setAttribute("tabindex", "-1");
      });
      sup.parentNode.insertBefore(side, sup.nextSibling);
      sidenotes[li.id] = side;
    }

    var entry = { marker: marker, pop: pop, side: side, pinned: false, shown: null };
    if (!side.quireEntry) {
      side.quireEntry = entry;
      side.querySelector(".sidenote-more").addEventListener("click", function () {
        if (current === entry && side.classList.contains("is-open")) {
          hide();
        } else {
          show(entry, "sidenote");
          entry.pinned = true;
        }
      });
    }

    marker.addEventListener("pointerenter", function (e) {
      if (e.pointerType !== "touch") show(entry, "auto");
    });
    marker.addEventListener("pointerleave", function (e) {
      if (e.pointerType !== "touch") scheduleHide(entry);
    });
    // A finger's press focuses the marker before its tap arrives: the tap decides.
    marker.addEventListener("pointerdown", function (e) {
      if (e.pointerType === "touch") touched = marker;
    });
    marker.addEventListener("focus", function () {
      if (quiet !== marker && touched !== marker) show(entry, "auto");
    });
    marker.addEventListener("blur", function (e) {
      if (quiet === marker) quiet = null;
      if (!pop.contains(e.relatedTarget)) scheduleHide(entry);
    });
    marker.addEventListener("click", function (e) {
      e.preventDefault();
      touched = null;
      if (current === entry && entry.pinned) {
        hide();
      } else {
        // Where the sidenote is in view, it is the note: highlighted (and unfolded if it
        // was cut short), not duplicated by a popover.
        show(entry, WIDE.matches && fullyOnScreen(entry.side) ? "sidenote" : "popover");
        entry.pinned = true;
      }
    });
    close.addEventListener("click", function () {
      var inside = pop.contains(document.activeElement);
      hide();
      if (inside) {
        quiet = marker;
        marker.focus({ preventScroll: true });
      }
    });
    pop.addEventListener("pointerenter", cancelHide);
    pop.addEventListener("pointerleave", function (e) {
      if (e.pointerType !== "touch") scheduleHide(entry);
    });
    pop.addEventListener("focusin", cancelHide);
    pop.addEventListener("focusout", function (e) {
      if (e.relatedTarget !== marker && !pop.contains(e.relatedTarget)) scheduleHide(entry);
    });
  }

  function fullyOnScreen(el) {
    var r = el.getBoundingClientRect();
    var a = visibleArea();
    return r.height > 0 && r.top >= a.top && r.bottom <= a.top + a.height;
  }

  /* how: "sidenote", "popover", or "auto" (hover and focus: the sidenote if it is on
     screen, else the popover). A sidenote cut short is still the note: hover highlights
     it (its "more" says there is more), a click unfolds it. */
  function show(entry, how) {
    cancelHide();
    if (current && current !== entry) hide();
    current = entry;
    var useSide = how === "sidenote" ||
      (how === "auto" && WIDE.matches && fullyOnScreen(entry.side));
    if (useSide) {
      if (how === "sidenote") {
        if (entry.pop.matches(":popover-open")) entry.pop.hidePopover();
        entry.marker.setAttribute("aria-expanded", "false");
        if (entry.side.classList.contains("is-clamped")) {
          entry.side.classList.add("is-open");
          layout();
        }
      } else if (entry.shown === "popover") {
        return; // already open: keep it
      }
      entry.side.classList.add("is-active");
      entry.marker.classList.add("is-active");
      entry.shown = "sidenote";
      return;
    }
    if (entry.side.classList.contains("is-open")) {
      entry.side.classList.remove("is-open");
      layout();
    }
    entry.side.classList.remove("is-active");
    entry.pop.classList.remove("is-sheet");
    if (!entry.pop.matches(":popover-open")) entry.pop.showPopover();
    entry.shown = "popover";
    entry.marker.classList.add("is-active");
    entry.marker.setAttribute("aria-expanded", "true");
    place(entry);
  }

  function hide() {
    cancelHide();
    var entry = current;
    if (!entry) return;
    current = null;
    entry.pinned = false;
    entry.shown = null;
    var wasOpen = entry.side.classList.contains("is-open");
    entry.side.classList.remove("is-active", "is-open");
    if (wasOpen) layout();
    entry.marker.classList.remove("is-active");
    entry.marker.setAttribute("aria-expanded", "false");
    if (entry.pop.matches(":popover-open")) entry.pop.hidePopover();
  }

  function scheduleHide(entry) {
    if (current !== entry || entry.pinned) return;
    cancelHide();
    hideTimer = window.setTimeout(hide, HIDE_DELAY);
  }

  function cancelHide() {
    window.clearTimeout(hideTimer);
    hideTimer = 0;
  }

  /* The part of the layout viewport that is on screen (it is smaller when a phone
     reader has zoomed in, or when the page is zoomed out to fit something wide). */
  function visibleArea() {
    var v = window.visualViewport;
    if (v) return { left: v.offsetLeft, top: v.offsetTop, width: v.width, height: v.height };
    return { left: 0, top: 0, width: document.documentElement.clientWidth, height: window.innerHeight };
  }

  /* Below the marker's line if the note fits there (or there is more room below),
     above it otherwise; never wider or taller than the visible area allows. */
  function place(entry) {
    var pop = entry.pop;
    var r = entry.marker.getBoundingClientRect();
    var a = visibleArea();
    if (pop.classList.contains("is-sheet")) return;
    if (SMALL.matches) {
      // A long note on a phone: a sheet along the bottom of the screen, not a box that
      // covers the text around its marker.
      pop.style.maxWidth = pop.style.maxHeight = pop.style.top = pop.style.left = "";
      pop.style.width = a.width - 2 * EDGE + "px";
      var natural = pop.scrollHeight;
      pop.style.width = "";
      if (natural > a.height * SHEET_SHARE) {
        pop.classList.add("is-sheet");
        pop.scrollTop = 0;
        // Keep the marker's line in view above the sheet.
        var sheetTop = pop.getBoundingClientRect().top;
        if (r.bottom > sheetTop - EDGE) {
          window.scrollBy({ top: r.bottom - sheetTop + 3 * EDGE, behavior: "instant" });
        }
        return;
      }
    }
    var right = a.left + a.width;
    var bottom = a.top + a.height;
    pop.style.maxWidth = a.width - 2 * EDGE + "px";
    pop.style.maxHeight = a.height - 2 * EDGE + "px";
    var pw = pop.offsetWidth;
    var ph = pop.offsetHeight;
    var below = bottom - r.bottom - GAP - EDGE;
    var above = r.top - GAP - a.top - EDGE;
    var top;
    if (ph <= below || below >= above) {
      ph = Math.min(ph, Math.max(below, 48));
      top = r.bottom + GAP;
    } else {
      ph = Math.min(ph, above);
      top = r.top - GAP - ph;
    }
    top = Math.max(a.top + EDGE, Math.min(top, bottom - EDGE - ph));
    var left = Math.max(a.left + EDGE, Math.min(r.left - 24, right - EDGE - pw));
    pop.style.maxHeight = ph + "px";
    pop.style.top = top + "px";
    pop.style.left = left + "px";
  }

  markers.forEach(setup);

  /* Each sidenote level with its marker. Where notes are close, a note is cut short
     (whole lines, with a "more" that unfolds it in place) to end before the next marker,
     so the next note still sits by its own; only where two markers are nearer than
     MIN_LINES lines is the later note pushed down, and then just below the one before.
     A note with room for all of it is shown whole, however long; the last one ends
     with the essay's text. Without this script there are no sidenotes; before it runs,
     the CSS floats stand. */
  var body = document.querySelector(".essay-body");
  var STACK_GAP = 10;
  var MIN_LINES = 3;
  var laying = false;
  function layout() {
    laying = false;
    if (!body) return;
    var on = WIDE.matches;
    body.classList.toggle("sidenotes-placed", on);
    var notes = Array.prototype.slice.call(body.querySelectorAll(".sidenote"));
    if (!on) {
      notes.forEach(function (side) {
        side.style.top = side.style.left = side.style.maxHeight = "";
        side.classList.remove("is-clamped");
      });
      return;
    }
    // Read everything first (one layout), then write: the notes are out of the flow, so
    // moving them moves nothing else.
    notes.forEach(function (side) { side.style.maxHeight = "none"; });
    var col = body.getBoundingClientRect();
    var items = [];
    notes.forEach(function (side) {
      var marker = body.querySelector('sup.fnref a[data-note="' + side.getAttribute("data-note") + '"]');
      var host = side.offsetParent;
      if (!marker || !host) return;
      var cs = getComputedStyle(side);
      items.push({
        side: side,
        line: marker.getBoundingClientRect().top,
        host: host.getBoundingClientRect(),
        full: side.offsetHeight,
        lh: parseFloat(cs.lineHeight),
        pad: parseFloat(cs.paddingTop) + parseFloat(cs.paddingBottom),
      });
    });
    var prevBottom = -Infinity;
    items.forEach(function (it, i) {
      var top = Math.max(it.line, prevBottom + STACK_GAP);
      var end = i + 1 < items.length ? items[i + 1].line - STACK_GAP : col.bottom;
      var lines = Math.floor((end - top - it.pad) / it.lh);
      lines = Math.max(MIN_LINES, lines);
      var cap = lines * it.lh + it.pad;
      var open = it.side.classList.contains("is-open");
      var cut = !open && it.full > cap + 1;
      it.side.classList.toggle("is-clamped", cut || open);
      it.side.querySelector(".sidenote-more").textContent = open ? "less" : "more";
      it.side.style.maxHeight = cut ? cap + "px" : "none";
      it.side.style.top = top - it.host.top + "px";
      it.side.style.left = col.right - it.host.left + "px";
      prevBottom = top + (cut ? cap : it.full);
    });
  }
  function relayout() {
    if (!laying) {
      laying = true;
      window.requestAnimationFrame(layout);
    }
  }
  layout();
  window.addEventListener("resize", relayout);
  window.addEventListener("load", relayout);
  if (body && window.ResizeObserver) new ResizeObserver(relayout).observe(body);

  /* Every note opens in place, so the numbered list at the end folds behind one button
     (the essay's end then leads straight on to the thread). `hidden="until-found"` keeps
     it findable: find-in-page and a link to a note (#fn-…) unfold it. Without this
     script, and in print, the list is there as it is. */
  var notes = document.getElementById("footnotes");
  var list = notes && notes.querySelector("ol");
  var heading = notes && notes.querySelector("h2");
  if (list && heading) {
    var count = list.querySelectorAll("li.footnote").length;
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "footnotes-toggle";
    if (!list.id) list.id = "footnotes-list";
    toggle.setAttribute("aria-controls", list.id);
    var unfold = function (open) {
      if (open) list.removeAttribute("hidden");
      else list.setAttribute("hidden", "until-found");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.textContent = count === 1
        ? (open ? "Hide the note" : "Show the note")
        : (open ? "Hide the " : "Show all ") + count + " notes";
      notes.classList.toggle("is-folded", !open);
    };
    toggle.addEventListener("click", function () {
      unfold(list.hasAttribute("hidden"));
    });
    list.addEventListener("beforematch", function () { unfold(true); });
    heading.parentNode.insertBefore(toggle, heading.nextSibling);
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    unfold(Boolean(target && list.contains(target)));
    window.addEventListener("hashchange", function () {
      var t = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (t && list.contains(t) && list.hasAttribute("hidden")) {
        unfold(true);
        t.scrollIntoView();
      }
    });
  }

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape" || !current) return;
    var entry = current;
    var inside = entry.pop.contains(document.activeElement);
    hide();
    if (inside || document.activeElement === entry.marker) {
      quiet = entry.marker;
      entry.marker.focus({ preventScroll: true });
    }
  });

  /* A press elsewhere closes the note; on a touch screen only a tap does (a click),
     so that starting to scroll never dismisses it. */
  function outside(e) {
    if (!current) return;
    if (current.marker.contains(e.target) || current.pop.contains(e.target) ||
        current.side.contains(e.target)) return;
    hide();
  }
  document.addEventListener("pointerdown", function (e) {
    if (e.pointerType !== "touch") outside(e);
  });
  document.addEventListener("click", outside);

  var pending = false;
  function follow() {
    pending = false;
    if (!current || current.shown !== "popover") return;
    if (current.pop.classList.contains("is-sheet")) return;
    var r = current.marker.getBoundingClientRect();
    var a = visibleArea();
    // A note the reader opened on purpose stays; one shown on hover goes with its marker.
    if ((r.bottom < a.top || r.top > a.top + a.height) && !current.pinned) hide();
    else place(current);
  }
  function onMove() {
    if (!pending && current) {
      pending = true;
      window.requestAnimationFrame(follow);
    }
  }
  window.addEventListener("scroll", onMove, { passive: true });
  window.addEventListener("resize", onMove);
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", onMove);
    window.visualViewport.addEventListener("scroll", onMove);
  }
})();
/* js/50-cite.js */
/* Cite this essay: a button that copies the BibTeX entry. Without JavaScript the entry is
   plain selectable text, and the button stays hidden. */
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button.cite-copy[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) return;
    var label = button.textContent;
    button.hidden = false;
    function say(text) {
      button.textContent = text;
      window.setTimeout(function () { button.textContent = label; }, 2500);
    }
    button.addEventListener("click", function () {
      // Select the entry first: the reader sees what was copied, and can press Ctrl+C
      // where the clipboard is not available (a page opened from file:// in some browsers).
      var range = document.createRange();
      range.selectNodeContents(target);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var text = target.textContent;
      var fallback = function () {
        var copied = false;
        try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
        say(copied ? "Copied" : "Selected: press Ctrl+C to copy");
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { say("Copied"); }, fallback);
      } else {
        fallback();
      }
    });
  });
})();
