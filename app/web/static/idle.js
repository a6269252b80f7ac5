// The ballot on a shared computer (app/web/templates/_idle.html): after the draft's time
// without a touch, a click or a key, the page goes to the form's `?idle=1` address, which
// empties it for the next person and says why; two minutes before, a warning shows, and
// any touch or key keeps everything.
(function () {
  "use strict";
  var box = document.getElementById("idle-warning");
  if (!box) return;
  var seconds = parseInt(box.dataset.seconds, 10);
  var WARN = 120;
  var warnTimer, leaveTimer;
  function start() {
    box.hidden = true;
    clearTimeout(warnTimer);
    clearTimeout(leaveTimer);
    warnTimer = setTimeout(function () { box.hidden = false; }, Math.max(seconds - WARN, 0) * 1000);
    leaveTimer = setTimeout(function () { location.replace(box.dataset.to); }, seconds * 1000);
  }
  ["pointerdown", "keydown", "input", "scroll"].forEach(function (kind) {
    addEventListener(kind, start, { passive: true });
  });
  start();
})();
