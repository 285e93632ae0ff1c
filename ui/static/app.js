// Static start screen: asks the Rust shell for its version via `app_info`.
// Replaced by the Vite/TypeScript front end in the desktop-app issue.
"use strict";

(function () {
  const footer = document.getElementById("app-info");

  function show(text, state) {
    footer.textContent = text;
    footer.dataset.state = state;
  }

  const tauri = window.__TAURI__;
  if (!tauri || !tauri.core || typeof tauri.core.invoke !== "function") {
    show("Not running inside the Spoor desktop app (window.__TAURI__ is absent).", "no-tauri");
    return;
  }

  tauri.core
    .invoke("app_info")
    .then(function (info) {
      show(info.name + " " + info.version + " · case format " + info.case_format, "ready");
    })
    .catch(function (err) {
      // Errors from commands are `{ code, message }`; anything else is a bug.
      const code = err && err.code ? err.code : "internal";
      const message = err && err.message ? err.message : String(err);
      show("Could not read version (" + code + "): " + message, "error");
    });
})();
