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
    var form = document.getElementById("studyunit_form");
    if (!base || !form) { return; }
    var csrf = form.querySelector("input[name=csrfmiddlewaretoken]");

    // The body in Chinese and in English (one column each): the preview shows the
    // one being edited.
    var bodies = ["id_body_zh_hans", "id_body_en", "id_body"]
      .map(function (id) { return document.getElementById(id); })
      .filter(function (el) { return el; });
    var preview = document.getElementById("body-preview");
    bodies.forEach(function (body) {
      if (!preview) { return; }
      var refresh = debounce(function () {
        var data = new FormData();
        data.append("body", body.value);
        fetch(base + "preview/", {
          method: "POST", body: data, credentials: "same-origin",
          headers: { "X-CSRFToken": csrf ? csrf.value : "" }
        }).then(function (r) { return r.ok ? r.json() : null; })
          .then(function (json) { if (json) { preview.innerHTML = json.html; } });
      }, 300);
      body.addEventListener("input", refresh);
    });

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
            list.replaceChildren.apply(list, json.tags.map(function (name) {
              var option = document.createElement("option");
              option.value = head + (name.indexOf(",") >= 0 || name.indexOf(" ") >= 0 ? '"' + name + '"' : name);
              return option;
            }));
          });
      }, 200);
      tags.addEventListener("input", suggest);
    }
  });
})();
