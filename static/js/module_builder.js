/* The module builder: add, remove and move units in the page, filter the units to add
   by theme and words as you type. Without this script every button is a submit that
   the server applies (training/builder.py); with it nothing is sent until Save. The
   order saved is the order of the hidden "units" fields in the chosen list. */
(function () {
  "use strict";
  var builder = document.querySelector(".unit-builder");
  if (!builder) return;
  var form = builder.closest("form");
  var chosen = builder.querySelector(".chosen-list");
  var available = builder.querySelector(".available-list");
  var template = document.getElementById("chosen-unit-template");
  var status = builder.querySelector(".builder-status");
  var count = builder.querySelector(".chosen-count");
  var empty = builder.querySelector(".chosen-empty");
  var filterEmpty = builder.querySelector(".filter-empty");
  var theme = document.getElementById("builder-theme");
  var words = document.getElementById("builder-q");
  var max = parseInt(builder.dataset.max, 10);
  builder.classList.add("is-live");

  function say(text, values) {
    var out = text;
    Object.keys(values).forEach(function (key) {
      out = out.split("{" + key + "}").join(values[key]);
    });
    return out;
  }
  function announce(text) {
    status.textContent = "";
    // A change of text after a pause is read out even when it repeats.
    window.setTimeout(function () { status.textContent = text; }, 50);
  }
  function rows() {
    return Array.prototype.slice.call(chosen.querySelectorAll(".chosen-row"));
  }
  function titleOf(row) {
    return row.querySelector(".unit-name").textContent;
  }
  function refresh() {
    var all = rows();
    all.forEach(function (row, i) {
      row.querySelector("button[name=up]").disabled = i === 0;
      row.querySelector("button[name=down]").disabled = i === all.length - 1;
    });
    count.textContent = say(builder.dataset.count, { n: all.length });
    empty.hidden = all.length > 0;
  }
  function filter() {
    var wanted = theme.value;
    var text = words.value.trim().toLowerCase();
    var shown = 0;
    available.querySelectorAll(".available-row").forEach(function (row) {
      var match =
        (!wanted || row.dataset.theme === wanted) &&
        (!text || row.dataset.search.indexOf(text) !== -1);
      row.hidden = !match;
      if (match && !row.classList.contains("is-chosen")) shown += 1;
    });
    filterEmpty.hidden = shown > 0;
  }
  function label(button, title) {
    button.setAttribute("aria-label", say(button.dataset.label, { title: title }));
  }

  function add(id) {
    var source = available.querySelector('.available-row[data-unit="' + id + '"]');
    if (!source || source.classList.contains("is-chosen")) return;
    if (rows().length >= max) {
      announce(builder.dataset.full);
      return;
    }
    var row = template.content.firstElementChild.cloneNode(true);
    row.dataset.unit = id;
    row.querySelector("input[name=units]").value = id;
    row.querySelector(".unit-name").textContent = source.dataset.title;
    row.querySelector(".meta").textContent = source.dataset.themeName;
    row.querySelectorAll("button").forEach(function (button) {
      button.value = id;
      label(button, source.dataset.title);
    });
    chosen.appendChild(row);
    // Focus moves to the next unit that can be added, so that several are added in a row.
    var next = source.nextElementSibling;
    while (next && (next.hidden || next.classList.contains("is-chosen"))) next = next.nextElementSibling;
    source.classList.add("is-chosen");
    refresh();
    filter();
    announce(say(builder.dataset.added, { title: source.dataset.title }) + " " +
             say(builder.dataset.count, { n: rows().length }));
    (next ? next.querySelector("button") : words).focus();
  }
  function remove(row) {
    var id = row.dataset.unit;
    var next = row.nextElementSibling || row.previousElementSibling;
    var title = titleOf(row);
    row.remove();
    var source = available.querySelector('.available-row[data-unit="' + id + '"]');
    if (source) source.classList.remove("is-chosen");
    refresh();
    filter();
    announce(say(builder.dataset.removed, { title: title }));
    if (next) next.querySelector("button[name=remove]").focus();
    else words.focus();
  }
  function move(row, direction) {
    var other = direction === "up" ? row.previousElementSibling : row.nextElementSibling;
    if (!other) return;
    if (direction === "up") chosen.insertBefore(row, other);
    else chosen.insertBefore(other, row);
    refresh();
    var button = row.querySelector("button[name=" + direction + "]");
    (button.disabled ? row.querySelector("button[name=" + (direction === "up" ? "down" : "up") + "]") : button).focus();
    announce(say(builder.dataset.moved, { title: titleOf(row), n: rows().indexOf(row) + 1 }));
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name]");
    if (!button || !builder.contains(button) && button.name !== "filter") return;
    var name = button.name;
    if (name === "filter") {
      event.preventDefault(); // the list filters as you type
      return;
    }
    var row = button.closest(".chosen-row");
    if (name === "add") { event.preventDefault(); add(button.value); }
    else if (name === "remove" && row) { event.preventDefault(); remove(row); }
    else if ((name === "up" || name === "down") && row) { event.preventDefault(); move(row, name); }
  });
  form.addEventListener("keydown", function (event) {
    // Enter in a text box would press the first submit button; here it does nothing.
    if (event.key === "Enter" && event.target === words) event.preventDefault();
  });
  theme.addEventListener("change", filter);
  words.addEventListener("input", filter);
  refresh();
  filter();
})();
