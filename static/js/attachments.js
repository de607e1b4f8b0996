// Attachments: drag and drop onto the upload form, and an upload with a progress bar. Without
// JavaScript the same form posts normally; with it, the form is sent by XMLHttpRequest asking for
// JSON, and the page reloads (or shows the refusal) when the server has answered.
(function () {
  "use strict";

  function setup(form) {
    var input = form.querySelector('input[type="file"]');
    var zone = form.querySelector("[data-dropzone]");
    var bar = form.querySelector("[data-progress]");
    var error = form.querySelector("[data-upload-error]");
    var button = form.querySelector('button[type="submit"]');

    function showError(message) {
      error.textContent = message;
      error.hidden = false;
      bar.hidden = true;
      button.disabled = false;
    }

    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        zone.classList.add("dropzone-over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () {
        zone.classList.remove("dropzone-over");
      });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        form.requestSubmit();
      }
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      error.hidden = true;
      if (!input.files.length) {
        showError("Choose at least one file to attach.");
        return;
      }
      var request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", function (progress) {
        if (progress.lengthComputable) {
          bar.value = Math.round((progress.loaded * 100) / progress.total);
        }
      });
      request.addEventListener("load", function () {
        var body = {};
        try {
          body = JSON.parse(request.responseText);
        } catch (ignored) {
          body = {};
        }
        if (request.status === 201) {
          bar.value = 100;
          var target = new URL(body.next || window.location.href, window.location.href);
          if (target.pathname === window.location.pathname) {
            window.location.hash = target.hash;
            window.location.reload();
          } else {
            window.location.assign(target.href);
          }
        } else {
          showError(body.error || "The upload failed (HTTP " + request.status + "); nothing was attached.");
        }
      });
      request.addEventListener("error", function () {
        showError("The upload was interrupted; nothing was attached. Try again.");
      });
      bar.value = 0;
      bar.hidden = false;
      button.disabled = true;
      request.send(new FormData(form));
    });
  }

  document.querySelectorAll("form[data-upload]").forEach(setup);
})();
