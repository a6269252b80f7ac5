// The kiosk ballot and review pages (templates/_kiosk_clock.html): the time left on the
// voter's ticket, and the idle reset. After data-warn-after seconds without a touch or a
// key the page asks "Are you still voting?"; without an answer within data-warning seconds
// it posts /kiosk/release: back to the ticket screen, nothing cast or spent.
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
