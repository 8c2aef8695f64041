// Trellis graph views: the local graph beside a note and the whole garden on /graph/.
// Both read `_trellis/graph.json` (published notes only, written at build time) and draw it
// with the vendored force-graph library, loaded only when a graph scrolls into view.
// Colours come from the theme's CSS variables and follow the light/dark switch.
(function () {
  "use strict";

  const DEPTH_KEY = "trellis-graph-depth";
  let libraryPromise = null;
  const dataPromises = new Map();

  function loadLibrary(src) {
    if (window.ForceGraph) return Promise.resolve(window.ForceGraph);
    if (!libraryPromise) {
      libraryPromise = new Promise(function (resolve, reject) {
        const script = document.createElement("script");
        script.src = src;
        script.onload = () => (window.ForceGraph ? resolve(window.ForceGraph) : reject(new Error("no ForceGraph")));
        script.onerror = () => reject(new Error("cannot load " + src));
        document.head.appendChild(script);
      });
    }
    return libraryPromise;
  }

  function loadData(src) {
    if (!dataPromises.has(src)) {
      dataPromises.set(src, fetch(src).then(function (response) {
        if (!response.ok) throw new Error("graph data: HTTP " + response.status);
        return response.json();
      }));
    }
    return dataPromises.get(src);
  }

  function palette() {
    const css = getComputedStyle(document.documentElement);
    const v = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
    return {
      node: v("--text-muted", "#5c5c5c"),
      current: v("--interactive-accent", "#7b6cd9"),
      hover: v("--text-accent", "#705dcf"),
      link: v("--background-modifier-border", "#e3e3e3"),
      linkActive: v("--text-accent", "#705dcf"),
      label: v("--text-normal", "#222222"),
      faint: v("--text-faint", "#8a8a8a"),
      font: v("--font-text", "sans-serif"),
    };
  }

  // Undirected neighbours of every node id, and each node's degree.
  function index(data) {
    const neighbours = new Map(data.nodes.map((n) => [n.id, new Set()]));
    for (const edge of data.edges) {
      if (!neighbours.has(edge.source) || !neighbours.has(edge.target)) continue;
      neighbours.get(edge.source).add(edge.target);
      neighbours.get(edge.target).add(edge.source);
    }
    return neighbours;
  }

  // The nodes within `depth` steps of `current` and the edges among them (fresh objects:
  // force-graph writes positions into them).
  function subgraph(data, neighbours, current, depth) {
    let keep;
    if (current === null) {
      keep = new Set(neighbours.keys());
    } else {
      keep = new Set([current]);
      let frontier = [current];
      for (let step = 0; step < depth; step++) {
        const next = [];
        for (const id of frontier) {
          for (const other of neighbours.get(id) || []) {
            if (!keep.has(other)) { keep.add(other); next.push(other); }
          }
        }
        frontier = next;
      }
    }
    const nodes = data.nodes.filter((n) => keep.has(n.id)).map(function (n) {
      const degree = (neighbours.get(n.id) || new Set()).size;
      return { id: n.id, url: n.url, title: n.title, tags: n.tags, degree: degree,
               val: 1 + Math.min(degree, 40) / 4 };
    });
    if (current !== null) {
      // Painted in array order: the current note last, so its disc and label stay on top.
      nodes.sort((a, b) => (a.id === current) - (b.id === current));
    }
    const seen = new Set();
    const links = [];
    for (const edge of data.edges) {
      if (!keep.has(edge.source) || !keep.has(edge.target)) continue;
      const key = edge.source + "\u0000" + edge.target;
      if (seen.has(key)) continue; // a link and an embed between two notes: one line
      seen.add(key);
      links.push({ source: edge.source, target: edge.target, type: edge.type });
    }
    return { nodes: nodes, links: links };
  }

  function gravity(strength) {
    let nodes = [];
    function force(alpha) {
      for (const node of nodes) {
        node.vx -= node.x * strength * alpha;
        node.vy -= node.y * strength * alpha;
      }
    }
    force.initialize = (all) => { nodes = all; };
    return force;
  }

  function fillList(list, nodes, current) {
    if (!list) return;
    const items = nodes
      .filter((n) => n.id !== current)
      .sort((a, b) => a.title.localeCompare(b.title))
      .map(function (n) {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = n.url;
        a.tabIndex = -1; // for screen readers; keyboard users have the page's own links
        a.textContent = n.title;
        li.appendChild(a);
        return li;
      });
    list.replaceChildren(...items);
  }

  function draw(ForceGraph, view, data) {
    const mode = view.dataset.graphMode;
    const current = mode === "local" ? view.dataset.graphCurrent : null;
    const panel = view.closest(".graph-panel");
    const list = panel ? panel.querySelector(".graph-list") : null;
    const neighbours = index(data);
    if (current !== null && !neighbours.has(current)) {
      if (panel) panel.hidden = true; // this note is not in the graph: nothing to show
      view.dataset.graphState = "empty";
      return;
    }
    let depth = Number(view.dataset.graphDepth || 1);
    if (mode === "local") {
      const saved = Number(localStorage.getItem(DEPTH_KEY));
      if (saved === 1 || saved === 2) depth = saved;
    }
    let colours = palette();
    let hovered = null;
    let hoverSet = new Set();
    let fitted = false;
    let many = false; // a crowded picture: labels only when zoomed in or near the pointer

    const graph = new ForceGraph(view)
      .width(view.clientWidth)
      .height(view.clientHeight)
      .backgroundColor("rgba(0,0,0,0)")
      .nodeId("id")
      .nodeVal("val")
      .nodeRelSize(mode === "local" ? 3 : 2.5)
      .nodeLabel(() => "")
      .linkColor((link) => (hovered && (link.source === hovered || link.target === hovered)
        ? colours.linkActive : colours.link))
      .linkWidth((link) => (hovered && (link.source === hovered || link.target === hovered) ? 1.5 : 1))
      .linkDirectionalArrowLength(mode === "local" ? 3 : 0)
      .linkDirectionalArrowRelPos(1)
      .linkLineDash((link) => (link.type === "embed" ? [2, 2] : null))
      .warmupTicks(mode === "local" ? 80 : 0) // a small graph appears already laid out
      .cooldownTicks(mode === "local" ? 60 : 400)
      .d3AlphaDecay(mode === "local" ? 0.04 : 0.0228)
      .cooldownTime(mode === "local" ? 3000 : 10000)
      .nodeCanvasObject(function (node, ctx, scale) {
        const radius = Math.sqrt(node.val) * graph.nodeRelSize();
        const isCurrent = node.id === current;
        const faded = hovered && !hoverSet.has(node.id);
        ctx.globalAlpha = faded ? 0.3 : 1;
        ctx.beginPath();
        ctx.arc(node.x, node.y, isCurrent ? radius * 1.4 : radius, 0, 2 * Math.PI);
        ctx.fillStyle = isCurrent ? colours.current : node === hovered ? colours.hover : colours.node;
        ctx.fill();
        if (isCurrent) {
          ctx.lineWidth = 1.5 / scale;
          ctx.strokeStyle = colours.label;
          ctx.stroke();
        }
        const showLabel = !many || isCurrent || hoverSet.has(node.id) ||
          scale > (mode === "local" ? 1.6 : 2.2) || (node.degree > 25 && scale > 0.9);
        if (showLabel) {
          const size = Math.max(10 / scale, 1.5);
          ctx.font = size + "px " + colours.font;
          ctx.textAlign = "center";
          ctx.textBaseline = "top";
          ctx.fillStyle = isCurrent || node === hovered ? colours.label : colours.faint;
          const title = node.title.length > 40 ? node.title.slice(0, 39) + "…" : node.title;
          ctx.fillText(title, node.x, node.y + radius + 2 / scale);
        }
        ctx.globalAlpha = 1;
      })
      .onNodeHover(function (node) {
        hovered = node || null;
        hoverSet = new Set();
        if (node) {
          hoverSet.add(node.id);
          for (const other of neighbours.get(node.id) || []) hoverSet.add(other);
          view.title = node.title;
        } else {
          view.removeAttribute("title");
        }
        view.style.cursor = node ? "pointer" : "";
      })
      .onNodeClick(function (node) {
        if (node.id !== current) window.location.assign(node.url);
      })
      .onEngineStop(function () {
        if (fitted) return;
        fitted = true;
        graph.zoomToFit(300, mode === "local" ? 40 : 90); // room for labels at the edge
        setTimeout(() => { view.dataset.graphState = "ready"; }, 350); // after the zoom
      });
    // Pull every node gently towards the middle, so notes without links stay near the rest
    // instead of drifting to the edge and shrinking the picture when it is fitted.
    graph.d3Force("gravity", gravity(mode === "local" ? 0.05 : 0.08));
    graph.d3Force("charge").strength(mode === "local" ? -60 : -35).distanceMax(300);

    function show() {
      const part = subgraph(data, neighbours, current, depth);
      many = part.nodes.length > (mode === "local" ? 30 : 150);
      fitted = false;
      view.dataset.graphState = "drawing";
      view.dataset.graphNodes = String(part.nodes.length);
      view.dataset.graphLinks = String(part.links.length);
      // Lay the graph out before its first paint (it used to start as a clump and spread
      // for ~8 s): ticks run off-screen, fewer for big gardens; then a short settle.
      if (mode !== "local") {
        graph.warmupTicks(part.nodes.length > 1500 ? 120 : 300).cooldownTicks(80);
      }
      graph.graphData(part);
      fillList(list, part.nodes, current);
    }
    show();

    if (panel) {
      panel.querySelectorAll(".graph-depth [data-depth]").forEach(function (button) {
        const sync = () => button.setAttribute("aria-pressed", String(Number(button.dataset.depth) === depth));
        sync();
        button.addEventListener("click", function () {
          depth = Number(button.dataset.depth);
          localStorage.setItem(DEPTH_KEY, String(depth));
          panel.querySelectorAll(".graph-depth [data-depth]").forEach((b) =>
            b.setAttribute("aria-pressed", String(Number(b.dataset.depth) === depth)));
          view.dataset.graphDepth = String(depth);
          show();
        });
      });
    }

    function recolour() {
      colours = palette();
      graph.linkColor(graph.linkColor()); // re-setting an accessor asks for a redraw
    }
    document.addEventListener("trellis:theme", recolour);
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", recolour);
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        if (view.clientWidth > 0) graph.width(view.clientWidth).height(view.clientHeight);
      }).observe(view);
    }
    view.graph = graph; // for tests and for anyone extending the theme
  }

  function start(view) {
    view.dataset.graphState = "loading";
    Promise.all([loadLibrary(view.dataset.graphLib), loadData(view.dataset.graphSrc)])
      .then(([ForceGraph, data]) => draw(ForceGraph, view, data))
      .catch(function (error) {
        view.dataset.graphState = "error";
        const panel = view.closest(".graph-panel");
        if (panel) panel.hidden = true;
        console.warn("Trellis graph:", error);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".graph-view[data-graph-src]").forEach(function (view) {
      const panel = view.closest(".graph-panel");
      if (panel) panel.hidden = false;
      if (!("IntersectionObserver" in window)) return start(view);
      const watcher = new IntersectionObserver(function (entries) {
        if (entries.some((e) => e.isIntersecting)) {
          watcher.disconnect();
          start(view);
        }
      }, { rootMargin: "200px" });
      watcher.observe(view);
    });
  });
})();
