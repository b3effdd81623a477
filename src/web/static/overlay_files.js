// An overlay's file browser (templates/_overlay_files.mustache): uploads sent in chunks (File.slice and fetch,
// each chunk at the offset the server has, so a failed chunk is sent again from there) with a progress bar,
// and deletes after a confirmation. The API is docs/api.md's "Overlay files". A form with data-finish (a managed
// overlay's source, templates/_overlay_managed.mustache) ends its upload there instead of placing the files.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function api(method, url, body, type) {
    var headers = { "X-CSRF-Token": csrfToken() };
    if (type) headers["Content-Type"] = type;
    return fetch(url, { method: method, headers: headers, body: body, credentials: "same-origin" }).then(function (reply) {
      return reply.json().catch(function () { return {}; }).then(function (json) {
        if (!reply.ok && !(reply.status === 409 && json.upload)) {
          throw new Error(json.error && json.error.message ? json.error.message : "HTTP " + reply.status);
        }
        return json;
      });
    });
  }

  function upload(overlay, form) {
    var file = form.querySelector('input[type="file"]').files[0];
    var pathInput = form.querySelector('input[name="path"]');
    var path = pathInput ? pathInput.value : "";
    var bar = form.querySelector("progress");
    var status = form.querySelector('[role="status"]');
    var base = "/api/v1/overlays/" + overlay + "/uploads";
    var tries = 0;
    if (!file) return;
    bar.hidden = false;
    bar.value = 0;
    status.textContent = "Uploading " + file.name + "…";
    return api("POST", base, JSON.stringify({ name: file.name, size: file.size }), "application/json").then(function (started) {
      var id = started.upload.id;
      var chunk = started.upload.chunk_bytes;
      function send(offset) {
        if (offset >= file.size) {
          if (form.dataset.finish) {
            status.textContent = "Keeping " + file.name + " as the source…";
            return api("POST", form.dataset.finish, JSON.stringify({ upload: id }), "application/json");
          }
          status.textContent = "Unpacking and placing " + file.name + "…";
          return api("POST", base + "/" + id + "/finish", JSON.stringify({ path: path }), "application/json");
        }
        var piece = file.slice(offset, Math.min(offset + chunk, file.size));
        return api("PUT", base + "/" + id + "?offset=" + offset, piece, "application/octet-stream").then(function (answer) {
          bar.value = file.size ? (100 * answer.upload.received) / file.size : 100;
          tries = 0;
          return send(answer.upload.received);
        }, function (error) {
          if (++tries > 3) throw error;
          return api("GET", base + "/" + id).then(function (answer) { return send(answer.upload.received); });
        });
      }
      return send(0);
    }).then(function (done) {
      bar.value = 100;
      status.textContent = done.managed ? file.name + " is the source now." : done.name + ": " + done.files + " file(s) placed.";
      window.location.reload();
    }, function (error) {
      status.textContent = "Upload failed: " + error.message;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-overlay-upload]");
    if (!form) return;
    event.preventDefault();
    upload(form.dataset.overlay || form.closest("#overlay-files").dataset.overlay, form);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-overlay-delete]");
    if (!button) return;
    var section = button.closest("#overlay-files");
    var path = button.dataset.overlayDelete;
    if (!window.confirm("Delete " + path + "? A folder goes with everything in it.")) return;
    api("DELETE", "/api/v1/overlays/" + section.dataset.overlay + "/files?path=" + encodeURIComponent(path)).then(
      function () { window.location.reload(); },
      function (error) { window.alert("Delete failed: " + error.message); });
  });
})();
