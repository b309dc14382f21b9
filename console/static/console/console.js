/* The console's own script: loaded from our static files (CSP forbids inline script).
 * - htmx swaps 4xx answers too, so a partial can show the service's error message in place
 *   (a view renders console/partials/error.html with the status the service chose).
 * - <form data-confirm="…"> asks before a plain (non-htmx) submit; htmx requests use hx-confirm.
 */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400 && status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form instanceof HTMLFormElement ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
