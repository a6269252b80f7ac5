// The kiosk's own pages.
//
// The ballot and review pages (templates/_kiosk_clock.html): the time left on the voter's
// ticket, and the idle reset. After data-warn-after seconds without a touch or a key the
// page asks "Are you still voting?"; without an answer within data-warning seconds it
// posts /kiosk/release: back to the ticket screen, nothing cast or spent.
//
// The thank-you page (templates/vote_done.html): after data-seconds it goes on to the next
// voter, as "Next voter" does; "More time" starts those seconds again, as often as pressed
// (WCAG 2.2.1). No timed refresh in the page: without this script it waits for the button.
//
// The ticket screen after a refusal (templates/kiosk.html): the refused ticket is shown
// again to correct; left untouched for data-clear-after seconds it is emptied, so the next
// voter does not find it.
(function () {
  var field = document.getElementById("kiosk_ticket");
  if (!field || !field.dataset.clearAfter) return;
  var after = Number(field.dataset.clearAfter) * 1000;
  var timer = 0;
  function wait() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      field.value = "";
      field.removeAttribute("aria-invalid");
    }, after);
  }
  ["pointerdown", "keydown", "input"].forEach(function (name) {
    addEventListener(name, wait, { passive: true, capture: true });
  });
  wait();
})();

(function () {
  var resets = document.getElementById("kiosk-resets");
  var next = document.getElementById("kiosk-next");
  var more = document.getElementById("kiosk-more");
  if (!resets || !next || !more) return;
  var seconds = Number(resets.dataset.seconds) * 1000;
  var timer = 0;
  function start() {
    clearTimeout(timer);
    timer = setTimeout(function () { location.replace(next.href); }, seconds);
  }
  resets.hidden = false;
  more.hidden = false;
  document.getElementById("kiosk-next-hint").hidden = true;
  more.addEventListener("click", function (event) {
    event.preventDefault(); // the same receipt stays; only its time starts again
    start();
  });
  start();
})();

(function () {
  var box = document.getElementById("kiosk-idle");
  var release = document.getElementById("kiosk-release");
  var clock = document.getElementById("kiosk-clock");
  if (!box || !release) return;
  var warnAfter = Number(box.dataset.warnAfter) * 1000;
  var warning = Number(box.dataset.warning) * 1000;
  var idleTimer = 0;
  var releaseTimer = 0;

  function warn() {
    box.hidden = false;
    document.getElementById("kiosk-idle-continue").focus();
    releaseTimer = setTimeout(function () { release.submit(); }, warning);
  }
  function active() {
    if (!box.hidden) return; // only the button answers the warning
    clearTimeout(idleTimer);
    idleTimer = setTimeout(warn, warnAfter);
  }
  document.getElementById("kiosk-idle-continue").addEventListener("click", function () {
    clearTimeout(releaseTimer);
    box.hidden = true;
    active();
  });
  ["pointerdown", "keydown", "input", "scroll"].forEach(function (name) {
    addEventListener(name, active, { passive: true, capture: true });
  });
  active();

  if (clock) {
    var endsAt = Date.now() + Number(clock.dataset.seconds) * 1000;
    setInterval(function () {
      var minutes = Math.max(0, Math.ceil((endsAt - Date.now()) / 60000));
      clock.textContent = clock.dataset.template.replace("{minutes}", minutes);
    }, 15000);
  }
})();
