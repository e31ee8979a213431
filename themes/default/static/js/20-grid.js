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
