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
