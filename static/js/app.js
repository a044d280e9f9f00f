// Project-wide behaviour. htmx sends the CSRF token from the hx-headers attribute on <body>;
// translations come from Django's JavaScript catalog (jsi18n), loaded before this file.
(function () {
  "use strict";
  const gettext = window.gettext || function (s) { return s; };
  const interpolate = window.interpolate || function (s, args) { return s.replace("%s", args[0]); };

  document.addEventListener("htmx:responseError", function (event) {
    const box = document.createElement("div");
    box.className = "alert alert-danger";
    box.setAttribute("role", "alert");
    box.textContent = interpolate(gettext("The request failed (%s). Please try again."), [event.detail.xhr.status]);
    const main = document.getElementById("main");
    if (main) { main.prepend(box); }
  });

  document.addEventListener("htmx:sendError", function () {
    const box = document.createElement("div");
    box.className = "alert alert-warning";
    box.setAttribute("role", "alert");
    box.textContent = gettext("The server cannot be reached. Check the network and try again.");
    const main = document.getElementById("main");
    if (main) { main.prepend(box); }
  });
})();
