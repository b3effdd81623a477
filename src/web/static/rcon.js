// The server page's RCON console: the command box keeps the commands sent (up and down keys go through them),
// clears itself after each, and the reply area follows the newest reply. Replies arrive by HTMX (rcon_routes.cc).
(function () {
  "use strict";

  function setUp(form) {
    var input = form.querySelector("[data-rcon-command]");
    if (!input) return;
    var sent = [];
    var position = 0;
    var draft = "";

    form.addEventListener("submit", function () {
      var command = input.value;
      if (command !== "" && sent[sent.length - 1] !== command) sent.push(command);
      position = sent.length;
      draft = "";
    });
    form.addEventListener("htmx:afterRequest", function () {
      input.value = "";
      input.focus();
    });
    input.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
      if (sent.length === 0) return;
      event.preventDefault();
      if (position === sent.length) draft = input.value;
      position += event.key === "ArrowUp" ? -1 : 1;
      position = Math.max(0, Math.min(sent.length, position));
      input.value = position === sent.length ? draft : sent[position];
      input.setSelectionRange(input.value.length, input.value.length);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-rcon-form]").forEach(setUp);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var output = event.detail.target;
    if (output && output.id === "rcon-output") output.scrollTop = output.scrollHeight;
  });
})();
