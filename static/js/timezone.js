// Sign-up: start the learner in their browser's time zone instead of UTC.
// The server checks the value; without JavaScript the field stays empty (UTC).
(function () {
  "use strict";
  function fill() {
    const field = document.querySelector('input[type="hidden"][name="time_zone"]');
    if (!field || field.value) return;
    try {
      field.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (err) {
      // An old browser without Intl: the server falls back to UTC.
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fill);
  } else {
    fill();
  }
})();
