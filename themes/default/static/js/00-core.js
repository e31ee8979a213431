/* quire's reader script: progressive enhancement only. Every page works without it. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
})();
