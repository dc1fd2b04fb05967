/* The phone header's menu: without this script the menu is simply open (every link in
   the page); with it, phones get one row and a Menu button. Esc closes the menu. */
(function () {
  "use strict";
  var toggle = document.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");
  if (!toggle || !menu) return;
  document.documentElement.classList.add("has-menu");
  toggle.hidden = false;
  function set(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-open", open);
  }
  toggle.addEventListener("click", function () {
    set(toggle.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      set(false);
      toggle.focus();
    }
  });
})();

/* A button marked data-print prints the page (the one-time password list). */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();

/* A refused form's error summary takes the focus, so that a screen reader reads it and
   the page shows it, not the top of the page with the focus on BODY. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (!summary) return;
  summary.focus();
  // A page reached with a #fragment (sent again after following one of the summary's
  // links) scrolls to it once loaded: the summary keeps the focus.
  window.addEventListener("load", function () {
    if (document.activeElement !== summary) summary.focus();
  });
})();
