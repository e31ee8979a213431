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
