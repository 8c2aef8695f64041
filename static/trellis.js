// Trellis theme script: light/dark toggle, the explorer tree, the sidebar on phones.
// Every page works without it; it only adds comfort.
(function () {
  "use strict";

  function currentTheme() {
    const chosen = document.documentElement.dataset.theme;
    if (chosen) return chosen;
    return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function setupThemeToggle() {
    const button = document.querySelector(".theme-toggle");
    if (!button) return;
    const sync = () => {
      const dark = currentTheme() === "dark";
      button.setAttribute("aria-pressed", String(dark));
      // Obsidian's body classes, so Obsidian themes and CSS snippets apply.
      document.body.classList.toggle("theme-dark", dark);
      document.body.classList.toggle("theme-light", !dark);
    };
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", sync);
    sync();
    button.addEventListener("click", function () {
      const next = currentTheme() === "dark" ? "light" : "dark";
      document.documentElement.dataset.theme = next;
      localStorage.setItem("trellis-theme", next);
      sync();
      document.dispatchEvent(new CustomEvent("trellis:theme", { detail: next }));
    });
  }

  function normalise(path) {
    try { path = decodeURIComponent(path); } catch (e) { /* keep as is */ }
    return path.endsWith("/") ? path : path + "/";
  }

  function markCurrent(tree) {
    const here = normalise(window.location.pathname);
    tree.querySelectorAll("a[href]").forEach(function (link) {
      const url = new URL(link.getAttribute("href"), window.location.href);
      if (normalise(url.pathname) !== here) return;
      link.setAttribute("aria-current", "page");
      for (let node = link.parentElement; node && node !== tree; node = node.parentElement) {
        if (node.tagName === "DETAILS") node.open = true;
      }
    });
  }

  function setupExplorer() {
    const nav = document.querySelector("nav.explorer[data-src]");
    if (!nav) return;
    fetch(nav.dataset.src)
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then(function (html) {
        const holder = document.createElement("div");
        holder.innerHTML = html;
        const tree = holder.querySelector(".explorer-tree");
        if (!tree) return;
        nav.replaceChildren(tree);
        markCurrent(tree);
      })
      .catch(function () { /* the fallback links stay */ });
  }

  function setupSidebarToggle() {
    const button = document.querySelector(".sidebar-toggle");
    const nav = document.getElementById("explorer");
    if (!button || !nav) return;
    button.addEventListener("click", function () {
      const open = document.body.classList.toggle("sidebar-open");
      button.setAttribute("aria-expanded", String(open));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupThemeToggle();
    setupExplorer();
    setupSidebarToggle();
  });
})();
