/* Study unit admin: live Markdown preview (rendered and sanitised by the server)
   and tag suggestions for the comma-separated tags field. No framework. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  function baseUrl() {
    var match = window.location.pathname.match(/^(.*\/expositions\/studyunit\/)/);
    return match ? match[1] : null;
  }
  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }
  ready(function () {
    var base = baseUrl();
    // The change page's form, or the revert page's (named for the version model).
    var form = document.getElementById("studyunit_form") || document.getElementById("historicalstudyunit_form");
    if (!base || !form) { return; }
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");

    // The preview: the unit as readers see it, rendered by the server from the form
    // as it stands (on the revert page, the version being restored), in the language
    // being edited, at phone or desktop width.
    var panel = document.getElementById("unit-preview");
    if (panel) {
      var frame = panel.querySelector(".preview-frame");
      var fallback = document.getElementById("body-preview");
      var language = (document.documentElement.lang || "zh-hans").toLowerCase().indexOf("en") === 0 ? "en" : "zh-hans";
      var pressed = function (selector, value, attribute) {
        panel.querySelectorAll(selector).forEach(function (button) {
          button.setAttribute("aria-pressed", button.getAttribute(attribute) === value ? "true" : "false");
        });
      };
      var asked = 0;
      var render = function () {
        var ticket = ++asked;
        var data = new FormData(form);
        data.append("preview_language", language);
        fetch(base + "preview/", {
          method: "POST", body: data, credentials: "same-origin",
          headers: { "X-CSRFToken": csrf ? csrf.value : "" }
        }).then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) {
            if (html === null || ticket !== asked) { return; } // a newer preview is on its way
            frame.srcdoc = html;
            frame.hidden = false;
            if (fallback) { fallback.hidden = true; }
          });
      };
      var refresh = debounce(render, 400);
      var setLanguage = function (value) {
        if (value === language) { return; }
        language = value;
        pressed("[data-preview-language]", language, "data-preview-language");
        render();
      };
      pressed("[data-preview-language]", language, "data-preview-language");
      panel.querySelectorAll("[data-preview-language]").forEach(function (button) {
        button.addEventListener("click", function () { setLanguage(button.getAttribute("data-preview-language")); });
      });
      panel.querySelectorAll("[data-preview-width]").forEach(function (button) {
        button.addEventListener("click", function () {
          var width = button.getAttribute("data-preview-width");
          frame.classList.toggle("is-phone", width === "phone");
          pressed("[data-preview-width]", width, "data-preview-width");
        });
      });
      form.addEventListener("input", refresh);
      form.addEventListener("change", refresh);
      // Editing a field of one language previews that language.
      form.addEventListener("focusin", function (event) {
        var id = event.target.id || "";
        if (/_en$/.test(id)) { setLanguage("en"); }
        else if (/_zh_hans$/.test(id)) { setLanguage("zh-hans"); }
      });
      frame.addEventListener("load", function () {
        try {
          frame.style.height = Math.max(400, frame.contentDocument.documentElement.scrollHeight + 20) + "px";
        } catch (e) { /* a frame we cannot measure keeps its height */ }
      });
      render();
    }

    var tags = document.getElementById("id_tags");
    if (tags) {
      var list = document.createElement("datalist");
      list.id = "tag-suggestions";
      document.body.appendChild(list);
      tags.setAttribute("list", list.id);
      tags.setAttribute("autocomplete", "off");
      var suggest = debounce(function () {
        var value = tags.value;
        var cut = value.lastIndexOf(",");
        var head = cut >= 0 ? value.slice(0, cut + 1) + " " : "";
        var term = value.slice(cut + 1).trim();
        if (!term) { list.replaceChildren(); return; }
        fetch(base + "tag-suggestions/?q=" + encodeURIComponent(term), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { tags: [] }; })
          .then(function (json) {
            list.replaceChildren.apply(list, json.tags.map(function (name, i) {
              var option = document.createElement("option");
              option.value = head + (name.indexOf(",") >= 0 || name.indexOf(" ") >= 0 ? '"' + name + '"' : name);
              // The same idea's English name, shown beside the suggestion.
              if (json.english && json.english[i]) { option.label = name + " · " + json.english[i]; }
              return option;
            }));
          });
      }, 200);
      tags.addEventListener("input", suggest);
    }
  });
})();
