// decl serve: reload the page every 30 seconds so that what other delegations do shows up,
// unless the reader is typing in a form (nothing they wrote is ever thrown away).
(function () {
  var edited = false;
  document.addEventListener("input", function () { edited = true; });
  setInterval(function () {
    var active = document.activeElement;
    var typing = active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName);
    if (!edited && !typing) { window.location.reload(); }
  }, 30000);
})();
