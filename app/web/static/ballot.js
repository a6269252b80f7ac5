// The ballot, enhanced: rank by tapping project cards, reorder and remove in a list that
// stays in view, mistakes said before anything is sent. The page works without this file:
// it only keeps the form's own choice fields (rank_1..rank_N) in step, so the same form is
// posted either way (app/voting/pages.py).
(function () {
  "use strict";
  var form = document.getElementById("ballot");
  var words = document.getElementById("ballot-words");
  if (!form || !words) return;

  var w = words.dataset;
  var cards = [].slice.call(document.querySelectorAll("#cards .card"));
  var selects = [].slice.call(form.querySelectorAll("#choices select"));
  var size = selects.length;
  var tray = document.getElementById("tray");
  var list = document.getElementById("ranked");
  var said = document.getElementById("tray-said");
  var byId = {};
  var ranking = [];

  function say(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text) e.textContent = text;
    return e;
  }

  // The starting ranking: what the server filled in (the draft).
  selects.forEach(function (s) { if (s.value && ranking.indexOf(s.value) < 0) ranking.push(s.value); });

  document.documentElement.classList.add("js-ranking");
  tray.hidden = false;
  // Focus never hides behind the ranking held at the bottom of the screen (WCAG 2.4.11):
  // what scrolls into view stops above it (ballot.css, scroll-margin-bottom).
  new ResizeObserver(function () {
    document.documentElement.style.setProperty("--tray-height", tray.offsetHeight + "px");
  }).observe(tray);
  document.getElementById("tap-hint").hidden = false;
  [].slice.call(document.querySelectorAll("#choices .field-error")).forEach(function (p) {
    tray.insertBefore(p, list);
  });

  cards.forEach(function (card) {
    var id = card.dataset.id;
    byId[id] = card;
    var pick = el("button", { type: "button", "class": "pick" });
    card.appendChild(pick);
    card.addEventListener("click", function (event) {
      if (event.target.closest("a") || (event.target.closest("button") && event.target !== pick)) return;
      toggle(id);
    });
    var more = card.querySelector("a.more");
    if (more) {
      more.removeAttribute("target");
      more.querySelector(".new-tab").remove();
      // Read more in this tab: the form is posted first (step=more), kept in the server's
      // draft with the details typed, so Back shows everything (app/voting/ballot_steps.py).
      more.addEventListener("click", function (event) {
        event.preventDefault();
        render();
        form.appendChild(el("input", { type: "hidden", name: "step", value: "more" }));
        form.appendChild(el("input", { type: "hidden", name: "more", value: id }));
        form.submit();
      });
    }
  });
  ranking = ranking.filter(function (id) { return byId[id]; }).slice(0, size);

  function toggle(id) {
    var at = ranking.indexOf(id);
    var title = byId[id].dataset.title;
    if (at >= 0) {
      ranking.splice(at, 1);
      announce(say(w.removed, { title: title }));
    } else if (ranking.length >= size) {
      announce(w.full);
    } else {
      ranking.push(id);
      announce(say(w.added, { title: title, n: ranking.length }));
    }
    render();
  }
  function move(from, to) {
    var id = ranking.splice(from, 1)[0];
    ranking.splice(to, 0, id);
    announce(say(w.added, { title: byId[id].dataset.title, n: to + 1 }));
    render();
  }
  function announce(text) { said.textContent = text; }

  // An amount written the server's way (app/web/i18n.py, money_shape): its signs, its
  // separators and its digit groups, never the browser's own idea of the language's money.
  var budget = Number(w.budget);
  function money(cents) {
    var sizes = w.moneyGrouping.split(",").map(Number);
    var digits = String(Math.floor(cents / 100)), groups = [], size = sizes[0];
    while (digits.length > size) {
      groups.unshift(digits.slice(-size));
      digits = digits.slice(0, -size);
      size = sizes[1] || sizes[0];
    }
    groups.unshift(digits);
    var rest = cents % 100;
    return w.moneyBefore + groups.join(w.moneyGroup) +
      (rest ? w.moneyDecimal + (rest < 10 ? "0" : "") + rest : "") + w.moneyAfter;
  }

  function render() {
    selects.forEach(function (s, i) { s.value = ranking[i] || ""; });
    cards.forEach(function (card) {
      var at = ranking.indexOf(card.dataset.id);
      card.classList.toggle("chosen", at >= 0);
      var pick = card.querySelector(".pick");
      // Its name is what it shows, then whose it is: "Choice 2 · Remove: 3. Title".
      pick.textContent = at >= 0 ? say(w.choice, { n: at + 1 }) + " · " + w.remove : w.add;
      pick.setAttribute("aria-label", pick.textContent + ": " + card.dataset.title);
    });
    document.getElementById("tray-count").textContent = "(" + say(w.count, { n: ranking.length }) + ")";
    document.getElementById("tray-empty").hidden = ranking.length > 0;
    var cents = ranking.reduce(function (sum, id) { return sum + Number(byId[id].dataset.cents); }, 0);
    document.getElementById("tray-meter").textContent = say(w.meter, { total: money(cents) });
    document.getElementById("tray-over").hidden = cents <= budget;
    list.textContent = "";
    ranking.forEach(function (id, i) {
      var card = byId[id], title = card.dataset.title;
      var row = el("li", { id: "ranked-" + (i + 1) });
      var what = el("span", { "class": "what" });
      what.appendChild(el("strong", {}, (i + 1) + ". " + title.replace(/^\d+\.\s*/, "")));
      what.appendChild(el("small", {}, card.dataset.cost));
      row.appendChild(what);
      [["up", "↑", i > 0, i - 1], ["down", "↓", i < ranking.length - 1, i + 1], ["remove", "✕", true, -1]]
        .forEach(function (b) {
          var button = el("button", { type: "button", "class": b[0], "aria-label": w[b[0]] + ": " + title }, b[1]);
          button.disabled = !b[2];
          button.addEventListener("click", function () {
            if (b[0] === "remove") {
              toggle(id);
              var next = list.querySelector("li:nth-child(" + Math.min(i + 1, ranking.length) + ") .remove");
              (next || document.getElementById("tray-title")).focus();
            } else {
              move(i, b[3]);
              var again = list.querySelector("#ranked-" + (b[3] + 1) + " ." + b[0]);
              (again && !again.disabled ? again : list.querySelector("#ranked-" + (b[3] + 1) + " .remove")).focus();
            }
          });
          row.appendChild(button);
        });
      list.appendChild(row);
    });
  }

  // Mistakes said before anything is sent, the way the server says them (error summary).
  function mistakes() {
    var found = [], first = {}, chosen = selects.map(function (s) { return s.value; });
    var last = 0;
    chosen.forEach(function (v, i) { if (v) last = i + 1; });
    if (!last) found.push(["rank_1", w.none]);
    chosen.forEach(function (v, i) {
      var n = i + 1;
      if (!v && n < last) found.push(["rank_" + n, say(w.skipped, { n: n, later: last })]);
      else if (v && first[v]) found.push(["rank_" + n, say(w.duplicate, { a: first[v], b: n, title: byId[v].dataset.title.replace(/^\d+\.\s*/, "") })]);
      else if (v) first[v] = n;
    });
    [].slice.call(form.querySelectorAll("input[required]")).forEach(function (input) {
      if (!input.value.trim()) found.push([input.id, w["missing" + input.id[0].toUpperCase() + input.id.slice(1)]]);
    });
    return found;
  }
  function summarize(found) {
    var old = document.getElementById("error-summary");
    if (old) old.remove();
    [].slice.call(form.querySelectorAll("[aria-invalid]")).forEach(function (f) { f.removeAttribute("aria-invalid"); });
    var box = el("div", { "class": "alert error-summary", role: "alert", tabindex: "-1", id: "error-summary", "aria-labelledby": "error-summary-title" });
    box.appendChild(el("h2", { id: "error-summary-title" }, w.errorTitle));
    var ul = el("ul");
    found.forEach(function (f) {
      var li = el("li"), a = el("a", { href: "#" + f[0] }, f[1]);
      li.appendChild(a);
      ul.appendChild(li);
      var field = document.getElementById(f[0]);
      if (field) field.setAttribute("aria-invalid", "true");
    });
    box.appendChild(ul);
    box.appendChild(el("p", {}, w.fix));
    var h1 = document.querySelector("main h1");
    h1.parentNode.insertBefore(box, h1.nextSibling);
    box.focus();
  }
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.name === "switch_lang") return;  // a language switch keeps all as it is
    var found = mistakes();
    if (found.length) {
      event.preventDefault();
      summarize(found);
    }
  });
  // A choice's field is hidden here: its links lead to the ranking instead.
  document.addEventListener("click", function (event) {
    var a = event.target.closest("a[href^='#rank_']");
    if (!a) return;
    event.preventDefault();
    toRanking();
  });
  function toRanking() {
    tray.scrollIntoView({ block: "nearest" });
    document.getElementById("tray-title").focus();
  }

  render();
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  // After the browser's own move to the (hidden) fragment, which would take focus away.
  else if (/^#rank_/.test(location.hash)) addEventListener("load", function () { setTimeout(toRanking, 0); });
})();
