// Trellis search: a dialog over Pagefind's JS API (`_trellis/pagefind/pagefind.js`, built
// with the site). Ctrl/Cmd-K or "/" opens it, arrows choose, Enter opens, Escape closes.
// Pagefind fetches only the index chunks a query needs, so it works from any static host.
// A large site's index is built in shards (trellis/emit/search.py): the first bundle lists
// the others in `trellis-shards.json`, and they are merged into one search (Pagefind's
// multisite `mergeIndex`), its results ranked together.
(function () {
  "use strict";

  const MAX_RESULTS = 10;
  const SHARD_LIST = "trellis-shards.json";
  let pagefindPromise = null;

  // The folders of the other shards, relative to the first bundle; none when the list is
  // missing (a site built before shards existed has one bundle).
  function shardFolders(bundle) {
    return fetch(new URL(SHARD_LIST, bundle), { cache: "no-cache" })
      .then((response) => (response.ok ? response.json() : { shards: [] }))
      .then((list) => (Array.isArray(list.shards) ? list.shards : []).filter(
        (folder) => typeof folder === "string"));
  }

  function loadPagefind(root) {
    if (!pagefindPromise) {
      const bundle = new URL(root.dataset.searchBundle, window.location.href).href;
      const shards = shardFolders(bundle);
      shards.catch(() => {});  // reported when awaited below
      pagefindPromise = import(bundle + "pagefind.js").then(async function (pagefind) {
        // Result URLs are site paths ("/a/b/"); the base path of the site goes in front.
        const base = new URL(root.dataset.searchBase, window.location.href).pathname;
        const options = { baseUrl: base, excerptLength: 24 };
        await pagefind.options(options);
        await pagefind.init();
        // A merged index takes no options from the first one: give it the same.
        await Promise.all((await shards).map(
          (folder) => pagefind.mergeIndex(new URL(folder, bundle).pathname, options)));
        return pagefind;
      });
      pagefindPromise.catch(() => { pagefindPromise = null; });
    }
    return pagefindPromise;
  }

  // Pagefind's excerpt is text with <mark> around the matches. Rebuild it from text nodes so
  // nothing in a note's text can become markup here.
  function excerptNodes(excerpt) {
    const doc = new DOMParser().parseFromString("<body>" + excerpt + "</body>", "text/html");
    const out = [];
    doc.body.childNodes.forEach(function (node) {
      if (node.nodeType === Node.ELEMENT_NODE && node.tagName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.push(mark);
      } else {
        out.push(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function isTyping(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function setup(root) {
    const openButton = root.querySelector(".search-open");
    const dialog = root.querySelector(".search-dialog");
    const input = root.querySelector(".search-input");
    const list = root.querySelector(".search-results");
    const status = root.querySelector(".search-status");
    const closeButton = root.querySelector(".search-close");
    if (!openButton || !dialog || !input || !list || !status) return;
    // The words come translated from the template (data-text-*), with {name} slots.
    const say = (name, values) => (dialog.dataset["text" + name[0].toUpperCase() + name.slice(1)] || "")
      .replace(/\{(\w+)\}/g, (slot, key) => (key in values ? String(values[key]) : slot));
    const mac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
    const key = root.querySelector(".search-key");
    if (key) key.textContent = mac ? "⌘K" : "Ctrl K";
    openButton.hidden = false;
    let active = -1;
    let generation = 0;

    function options() { return Array.from(list.querySelectorAll("[role=option]")); }

    function setActive(index) {
      const items = options();
      if (!items.length) { active = -1; input.removeAttribute("aria-activedescendant"); return; }
      active = (index + items.length) % items.length;
      items.forEach((item, i) => item.setAttribute("aria-selected", String(i === active)));
      input.setAttribute("aria-activedescendant", items[active].id);
      items[active].scrollIntoView({ block: "nearest" });
    }

    function open() {
      if (dialog.open) { input.focus(); input.select(); return; }
      dialog.showModal();
      input.focus();
      input.select();
      loadPagefind(root).catch(function () {
        status.textContent = say("unavailable", {});
      });
    }

    function close() { if (dialog.open) dialog.close(); }

    async function run() {
      const term = input.value.trim();
      const mine = ++generation;
      if (!term) {
        list.replaceChildren();
        status.textContent = "";
        input.setAttribute("aria-expanded", "false");
        setActive(-1);
        return;
      }
      let pagefind;
      try {
        pagefind = await loadPagefind(root);
      } catch (error) {
        status.textContent = say("unavailable", {});
        return;
      }
      try {
        const search = await pagefind.debouncedSearch(term, {}, 120);
        if (search === null || mine !== generation) return; // a newer query took over
        const data = await Promise.all(search.results.slice(0, MAX_RESULTS).map((r) => r.data()));
        if (mine !== generation) return;
        render(term, data, search.results.length);
      } catch (error) {
        if (mine === generation) status.textContent = say("failed", { error: error.message });
      }
    }

    function render(term, results, total) {
      const items = results.map(function (result, i) {
        const li = document.createElement("li");
        li.id = "search-result-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        const link = document.createElement("a");
        link.className = "search-result";
        link.href = result.url;
        link.tabIndex = -1;
        const title = document.createElement("span");
        title.className = "search-result-title";
        title.textContent = (result.meta && result.meta.title) || result.url;
        const excerpt = document.createElement("span");
        excerpt.className = "search-result-excerpt";
        excerpt.append(...excerptNodes(result.excerpt || ""));
        link.append(title, excerpt);
        li.appendChild(link);
        li.addEventListener("mousemove", () => { if (active !== i) setActive(i); });
        return li;
      });
      list.replaceChildren(...items);
      input.setAttribute("aria-expanded", String(items.length > 0));
      status.textContent = total === 0 ? say("none", { term: term })
        : total > results.length ? say("some", { shown: results.length, total: total })
        : total === 1 ? say("one", {}) : say("many", { total: total });
      setActive(items.length ? 0 : -1);
    }

    openButton.addEventListener("click", open);
    if (closeButton) closeButton.addEventListener("click", close);
    input.addEventListener("input", run);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        // A search field would first clear itself; one Escape closes the dialog here.
        event.preventDefault();
        close();
      } else if (event.key === "ArrowDown") { event.preventDefault(); setActive(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); setActive(active - 1); }
      else if (event.key === "Enter") {
        event.preventDefault();
        const items = options();
        const chosen = items[active >= 0 ? active : 0];
        if (chosen) window.location.assign(chosen.querySelector("a").href);
      }
    });
    // A click on the backdrop (outside the dialog's box) closes it.
    dialog.addEventListener("click", function (event) {
      if (event.target !== dialog) return;
      const box = dialog.getBoundingClientRect();
      const inside = event.clientX >= box.left && event.clientX <= box.right &&
        event.clientY >= box.top && event.clientY <= box.bottom;
      if (!inside) close();
    });
    document.addEventListener("keydown", function (event) {
      const k = event.key.toLowerCase();
      if ((event.ctrlKey || event.metaKey) && !event.altKey && k === "k") {
        event.preventDefault();
        open();
      } else if (k === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target)) {
        event.preventDefault();
        open();
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".garden-search[data-search-bundle]").forEach(setup);
  });
})();
