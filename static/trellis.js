// Trellis theme script: the light/dark toggle. Pages work without it.
(function () {
  "use strict";
  function current() {
    const chosen = document.documentElement.dataset.theme;
    if (chosen) return chosen;
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  document.addEventListener("DOMContentLoaded", function () {
    const button = document.querySelector(".theme-toggle");
    if (!button) return;
    button.addEventListener("click", function () {
      const next = current() === "dark" ? "light" : "dark";
      document.documentElement.dataset.theme = next;
      localStorage.setItem("trellis-theme", next);
    });
  });
})();
