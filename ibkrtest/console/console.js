// Refreshes the request log every two seconds while its box is ticked,
// by fetching the page again and swapping the log in. Nothing else in
// the console needs script.
(function () {
  "use strict";
  var box = document.getElementById("auto-refresh");
  var log = document.getElementById("log");
  if (!box || !log) {
    return;
  }
  function open() {
    return log.querySelector("details[open]") !== null;
  }
  setInterval(function () {
    if (!box.checked || open() || document.hidden) {
      return;
    }
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("log");
        var clock = doc.getElementById("clock-now");
        if (fresh) {
          log.replaceWith(fresh);
          log = fresh;
        }
        if (clock && document.getElementById("clock-now")) {
          document.getElementById("clock-now").textContent = clock.textContent;
        }
      })
      .catch(function () {});
  }, 2000);
})();
