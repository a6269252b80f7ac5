// This page may hold a ballot, a receipt, personal or staff data (see app/web/private.py).
// If the browser restores it from its back-forward cache, ask the server again: it knows
// whether the page may still be shown, and to whom.
addEventListener("pageshow", function (event) {
  if (event.persisted) location.reload();
});
