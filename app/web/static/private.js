// This page may hold a ballot, a receipt, personal or staff data (see app/web/private.py).
// If the browser restores it from its back-forward cache, ask the server again: it knows
// whether the page may still be shown, and to whom.
addEventListener("pageshow", function (event) {
  if (event.persisted) location.reload();
});

// A button that prints the page (the receipt): a plain button does nothing without script.
addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
});
