/* The cadre picker on the assign page: type part of a name or a username and choose a
   cadre from the list (name, org unit, position), as an ARIA 1.2 combobox: arrow keys
   move, Enter chooses, Escape closes. The list comes from /org/cadres/search/, which
   only ever returns cadres in the trainer's org units. Without this script the text box
   still works: the server resolves a username, or a name held by one cadre only. */
(function () {
  "use strict";
  var box = document.querySelector(".cadre-picker");
  if (!box) return;
  var input = box.querySelector("input[name=cadre]");
  var hidden = document.querySelector("input[name=cadre_id]");
  var list = box.querySelector("[role=listbox]");
  var status = box.querySelector("[role=status]");
  if (!input || !hidden || !list) return;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  var results = [];
  var active = -1;
  var timer = null;
  var asked = 0;

  function describe(c) {
    var parts = [c.org_unit];
    if (c.position) parts.push(c.position);
    parts.push(c.username);
    return parts.join(" · ");
  }

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    var options = list.querySelectorAll("[role=option]");
    options.forEach(function (o, i) {
      o.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0 && options[index]) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function choose(index) {
    var c = results[index];
    if (!c) return;
    hidden.value = String(c.id);
    input.value = c.name;
    status.textContent = box.dataset.chosen + " " + c.name + " (" + describe(c) + ")";
    close();
  }

  function show(data) {
    results = data.results;
    list.textContent = "";
    results.forEach(function (c, i) {
      var li = document.createElement("li");
      li.id = "cadre-option-" + c.id;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      var name = document.createElement("span");
      name.className = "picker-name";
      name.textContent = c.name;
      var where = document.createElement("span");
      where.className = "picker-where";
      where.textContent = describe(c);
      li.appendChild(name);
      li.appendChild(where);
      // mousedown, not click: it comes before the input loses focus.
      li.addEventListener("mousedown", function (event) {
        event.preventDefault();
        choose(i);
      });
      list.appendChild(li);
    });
    if (!results.length) {
      status.textContent = box.dataset.none;
      close();
      return;
    }
    status.textContent =
      results.length + " " + box.dataset.found + (data.more ? " " + box.dataset.more : "");
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(-1);
  }

  function search() {
    var words = input.value.trim();
    if (!words) {
      results = [];
      status.textContent = "";
      close();
      return;
    }
    var ticket = ++asked;
    fetch(box.dataset.searchUrl + "?q=" + encodeURIComponent(words), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.ok ? response.json() : { results: [], more: false };
      })
      .then(function (data) {
        if (ticket === asked) show(data); // an older, slower answer is dropped
      });
  }

  input.addEventListener("input", function () {
    hidden.value = ""; // what was chosen no longer matches the text
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (list.hidden && results.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
      highlight(Math.min(active + 1, results.length - 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(Math.max(active - 1, 0));
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault(); // choose, do not submit the form
      choose(active);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);
})();
