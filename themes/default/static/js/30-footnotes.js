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
