// Trellis link previews: hovering or focusing an internal link shows the start of the note it
// points to. The preview is cut from the target's own page (fetched once, then cached), so it
// shows exactly what is published there and nothing else. Devices without hover get none.
(function () {
  "use strict";

  const SHOW_DELAY = 300; // ms of hovering before a preview opens
  const HIDE_DELAY = 200; // ms to move the pointer from the link into the preview
  const MAX_CHARS = 700; // about this much text of the target note
  const MAX_BLOCKS = 6;
  const pages = new Map(); // page URL (no hash) -> Promise<Document | null>
  let popover = null;
  let currentLink = null;
  let showTimer = 0;
  let hideTimer = 0;
  let generation = 0;

  function pageUrl(link) {
    const url = new URL(link.href, window.location.href);
    url.hash = "";
    return url;
  }

  function loadPage(url) {
    const key = url.href;
    if (!pages.has(key)) {
      pages.set(key, fetch(key, { credentials: "same-origin" })
        .then((response) => (response.ok ? response.text() : null))
        .then((html) => (html === null ? null : new DOMParser().parseFromString(html, "text/html")))
        .catch(() => null));
    }
    return pages.get(key);
  }

  // Copy block elements from `start` on (the whole body, or a heading's section) until
  // about MAX_CHARS of text; drop what must not run or repeat here (scripts, ids, media).
  function excerpt(body, anchor, title) {
    let nodes = Array.from(body.children);
    if (anchor) {
      let top = anchor;
      while (top.parentElement && top.parentElement !== body) top = top.parentElement;
      const at = nodes.indexOf(top);
      if (at >= 0) nodes = nodes.slice(at);
    }
    const out = document.createElement("div");
    out.className = "link-preview-body markdown-rendered";
    let chars = 0;
    for (const node of nodes) {
      if (chars >= MAX_CHARS || out.childElementCount >= MAX_BLOCKS) break;
      const copy = document.importNode(node, true);
      copy.querySelectorAll("script, style, iframe, object, embed, video, audio, form, .link-preview")
        .forEach((el) => el.remove());
      for (const el of [copy, ...copy.querySelectorAll("*")]) {
        el.removeAttribute("id");
        for (const attr of Array.from(el.attributes)) {
          if (attr.name.startsWith("on")) el.removeAttribute(attr.name);
        }
      }
      copy.querySelectorAll("a").forEach((a) => a.setAttribute("tabindex", "-1"));
      copy.querySelectorAll("img").forEach((img) => img.setAttribute("loading", "lazy"));
      const text = copy.textContent.trim();
      if (!text && !copy.querySelector("img")) continue;
      if (!out.childElementCount && /^H1$/.test(copy.tagName) && text === title) continue;
      out.appendChild(copy);
      chars += text.length;
    }
    return chars || out.childElementCount ? out : null;
  }

  function ensurePopover() {
    if (popover) return popover;
    popover = document.createElement("div");
    popover.className = "link-preview";
    popover.id = "trellis-link-preview";
    popover.setAttribute("role", "tooltip");
    popover.hidden = true;
    popover.addEventListener("mouseenter", () => clearTimeout(hideTimer));
    popover.addEventListener("mouseleave", scheduleHide);
    document.body.appendChild(popover);
    return popover;
  }

  function place(link) {
    const box = link.getBoundingClientRect();
    const rects = link.getClientRects();
    const first = rects.length ? rects[0] : box;
    const width = popover.offsetWidth;
    const height = popover.offsetHeight;
    const margin = 8;
    let left = first.left;
    left = Math.max(margin, Math.min(left, window.innerWidth - width - margin));
    let top = box.bottom + 6;
    const below = window.innerHeight - box.bottom;
    if (height + 12 > below && box.top > below) top = box.top - height - 6;
    popover.style.left = Math.round(left + window.scrollX) + "px";
    popover.style.top = Math.round(Math.max(margin, top) + window.scrollY) + "px";
  }

  async function show(link) {
    const mine = ++generation;
    const url = pageUrl(link);
    const doc = await loadPage(url);
    if (mine !== generation || currentLink !== link || !doc) return;
    const body = doc.querySelector(".note-body");
    if (!body) return;
    const hash = new URL(link.href, window.location.href).hash;
    let anchor = null;
    if (hash.length > 1) {
      try { anchor = doc.getElementById(decodeURIComponent(hash.slice(1))); } catch (e) { anchor = null; }
    }
    const heading = doc.querySelector("h1.inline-title");
    const og = doc.querySelector('meta[property="og:title"]');
    const name = heading ? heading.textContent.trim()
      : og ? (og.getAttribute("content") || "").trim() : link.textContent.trim();
    const content = excerpt(body, anchor && body.contains(anchor) ? anchor : null, name);
    const title = document.createElement("p");
    title.className = "link-preview-title";
    title.textContent = name;
    const box = ensurePopover();
    box.replaceChildren(title, ...(content ? [content] : []));
    box.dataset.url = url.pathname;
    box.hidden = false;
    link.setAttribute("aria-describedby", box.id);
    place(link);
  }

  function hide() {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    generation++;
    if (currentLink) currentLink.removeAttribute("aria-describedby");
    currentLink = null;
    if (popover) popover.hidden = true;
  }

  function scheduleHide() {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, HIDE_DELAY);
  }

  function previewable(target) {
    if (!(target instanceof Element)) return null;
    const link = target.closest("a.internal-link[href]");
    if (!link || (popover && popover.contains(link))) return null;
    const url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin) return null;
    if (url.pathname === window.location.pathname && !url.hash) return null;
    return link;
  }

  function begin(link, delay) {
    clearTimeout(hideTimer);
    if (link === currentLink) return;
    hide();
    currentLink = link;
    showTimer = setTimeout(() => show(link), delay);
  }

  function setup() {
    // Touch screens have no hover: a tap should just follow the link.
    if (!window.matchMedia("(hover: hover)").matches) return;
    document.addEventListener("mouseover", function (event) {
      const link = previewable(event.target);
      if (link) begin(link, SHOW_DELAY);
    });
    document.addEventListener("mouseout", function (event) {
      const link = previewable(event.target);
      if (link && link === currentLink && !link.contains(event.relatedTarget)) scheduleHide();
    });
    document.addEventListener("focusin", function (event) {
      const link = previewable(event.target);
      if (link && link.matches(":focus-visible")) begin(link, SHOW_DELAY);
    });
    document.addEventListener("focusout", function (event) {
      if (currentLink && event.target === currentLink) scheduleHide();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && currentLink) hide();
    });
    window.addEventListener("scroll", function () { if (currentLink && popover && !popover.hidden) place(currentLink); }, { passive: true });
  }

  document.addEventListener("DOMContentLoaded", setup);
})();
