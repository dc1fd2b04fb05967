// "Copy the list" on the chase page: the text area's lines to the clipboard. Without
// script (or clipboard access) the text area is there to select and copy by hand.
(function () {
  "use strict";
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var area = document.getElementById(button.getAttribute("data-copy"));
    if (!area) return;
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      area.select();
      var done = function () {
        button.textContent = button.getAttribute("data-copied");
        setTimeout(function () { button.textContent = label; }, 2000);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(area.value).then(done, function () {});
      } else if (document.execCommand("copy")) {
        done();
      }
    });
  });
})();
