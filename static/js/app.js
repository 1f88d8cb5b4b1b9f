/*
 * Almanac page behaviour. Dependency-free, no inline script, no eval, so it
 * runs under a strict CSP. Listeners are delegated on document, so content
 * swapped in by htmx needs no re-binding.
 *
 *   <form data-confirm="Delete this entry?">      confirm before submitting
 *   <button data-confirm="...">                    (on a submit button: its own text wins)
 *   <select data-autosubmit>                       submit the form on change
 *   <div class="flash">... <button data-dismiss>   remove the flash message
 */
(function () {
  "use strict";

  // (a) Confirm before submit. Capture phase, so a cancel also stops htmx's
  // own submit handler on the form (hx-post / hx-boost) from sending anything.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var submitter = event.submitter;
      var message = null;
      if (submitter && submitter.hasAttribute("data-confirm")) {
        message = submitter.getAttribute("data-confirm");
      } else if (form && form.hasAttribute && form.hasAttribute("data-confirm")) {
        message = form.getAttribute("data-confirm");
      }
      if (message !== null && !window.confirm(message)) {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    true
  );

  // (b) Submit the enclosing form when a [data-autosubmit] select changes.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el || !el.matches || !el.matches("select[data-autosubmit]")) {
      return;
    }
    var form = el.form || el.closest("form");
    if (!form) {
      return;
    }
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(); // fires "submit", so htmx and (a) still apply
    } else {
      form.submit();
    }
  });

  // (c) [data-dismiss] removes its closest .flash when clicked.
  document.addEventListener("click", function (event) {
    var trigger = event.target && event.target.closest
      ? event.target.closest("[data-dismiss]")
      : null;
    if (!trigger) {
      return;
    }
    var flash = trigger.closest(".flash");
    if (flash) {
      event.preventDefault();
      flash.remove();
    }
  });
})();
