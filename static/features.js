// Trellis feature glue: typesets math with KaTeX and draws Mermaid diagrams, on the pages that
// load them (templates/features_head.html). The LaTeX or Mermaid source stays in the page as
// text, so without this script, or when a formula or diagram fails, readers see the source.
(function () {
  "use strict";

  function isDark() {
    const chosen = document.documentElement.dataset.theme;
    if (chosen) return chosen === "dark";
    return window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  function typesetMath() {
    if (!window.katex) return;
    const macros = {}; // shared, so a \gdef in one formula serves the next ones, as in Obsidian
    document.querySelectorAll("span.math, div.math").forEach(function (element) {
      const source = element.textContent;
      try {
        window.katex.render(source, element, {
          displayMode: element.classList.contains("math-block"),
          throwOnError: true,
          strict: "ignore",
          trust: false,
          macros: macros,
        });
        element.classList.add("is-loaded");
      } catch (error) {
        element.textContent = source;
        element.classList.add("math-error");
        element.title = String(error && error.message ? error.message : error);
      }
    });
  }

  let diagrams = [];

  async function drawDiagrams() {
    if (!window.mermaid || !diagrams.length) return;
    window.mermaid.initialize({
      startOnLoad: false,
      securityLevel: "strict",
      theme: isDark() ? "dark" : "default",
    });
    for (const element of diagrams) {
      element.removeAttribute("data-processed");
      element.classList.remove("mermaid-error");
      element.textContent = element.dataset.source;
      try {
        await window.mermaid.run({ nodes: [element] });
      } catch (error) {
        element.textContent = element.dataset.source;
        element.classList.add("mermaid-error");
        element.title = String(error && error.message ? error.message : error);
      }
    }
  }

  function startDiagrams() {
    diagrams = Array.from(document.querySelectorAll("pre.mermaid"));
    diagrams.forEach(function (element) {
      element.dataset.source = element.textContent;
    });
    drawDiagrams();
    // Redraw with the other palette when the reader switches theme.
    new MutationObserver(drawDiagrams).observe(document.documentElement, {
      attributes: true,
      attributeFilter: ["data-theme"],
    });
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", drawDiagrams);
  }

  document.addEventListener("DOMContentLoaded", function () {
    typesetMath();
    startDiagrams();
  });
})();
