// Trellis graph views: the local graph beside a note and the whole garden on /graph/.
// A note page reads only its own neighbourhood file (the notes two steps around it); the
// global graph page reads `_trellis/graph.json`. Both are written at build time from the
// published notes only, and drawn with the vendored force-graph library, loaded only when a
// graph scrolls into view. The layout runs to rest off-screen and is fitted to the box before
// the canvas is shown, so it never starts as a clump. Labels go by importance (links), never
// overlap and stay inside the box; zooming in makes room for more of them.
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
      }).then(expand));
    }
    return dataPromises.get(src);
  }

  // A neighbourhood file (version 2) lists nodes as [id, title, degree, depth, url?] and
  // edges as pairs of positions in that list; the global graph.json (version 1) as objects.
  // Both are turned into the objects the drawing reads.
  function expand(data) {
    if (data.version !== 2) return data;
    const nodes = data.nodes.map(([id, title, degree, depth, url]) => (
      { id: id, title: title, degree: degree, depth: depth, url: url || data.base + id.slice(1) }));
    const edges = [];
    for (const [type, pairs] of [["link", data.links], ["embed", data.embeds]]) {
      for (const [s, t] of pairs) edges.push({ source: nodes[s].id, target: nodes[t].id, type: type });
    }
    return { version: 2, center: data.center, nodes: nodes, edges: edges };
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
      faint: v("--text-muted", "#5c5c5c"),
      halo: v("--background-secondary", "#f6f6f6"),
      font: v("--font-text", "sans-serif"),
    };
  }

  // Undirected neighbours of every node id.
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
  // force-graph writes positions into them). A neighbourhood file carries each node's degree
  // in the whole garden; the global file does not, so it is counted here.
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
      const degree = n.degree !== undefined ? n.degree : (neighbours.get(n.id) || new Set()).size;
      return { id: n.id, url: n.url, title: n.title, degree: degree,
               val: 1 + Math.min(degree, 40) / 4 };
    });
    if (current !== null) {
      // Painted in array order: the current note last, so its disc stays on top. It is held
      // in the middle: a note with many links otherwise ends at the edge of its own graph,
      // pushed aside by its neighbours' links among themselves.
      nodes.sort((a, b) => (a.id === current) - (b.id === current));
      Object.assign(nodes[nodes.length - 1], { fx: 0, fy: 0 });
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

  // Labels, most important first: the current note, the hovered one and its neighbours,
  // then by number of links. Each is placed (in CSS pixels of the canvas) under its disc, or
  // above it near the bottom edge, shifted sideways to stay inside the box, and skipped when
  // it would overlap one already placed. Returns what was drawn (for tests).
  function drawLabels(ctx, graph, nodes, order, opts) {
    const width = graph.width(), height = graph.height();
    const ratio = ctx.canvas.width / width;
    const pad = 3, gap = 2, size = opts.fontSize;
    const placed = [];
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.font = size + "px " + opts.colours.font;
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    ctx.lineJoin = "round";
    ctx.lineWidth = 3;
    ctx.strokeStyle = opts.colours.halo;
    const scale = graph.zoom();
    const discs = []; // the current note's disc: no other label is drawn over it
    for (const node of nodes) {
      if (node.id !== opts.current || node.x === undefined) continue;
      const at = graph.graph2ScreenCoords(node.x, node.y);
      const r = Math.sqrt(node.val) * graph.nodeRelSize() * scale * 1.4;
      discs.push({ left: at.x - r, top: at.y - r, right: at.x + r, bottom: at.y + r });
    }
    for (const node of order(nodes)) {
      if (node.x === undefined) continue;
      const at = graph.graph2ScreenCoords(node.x, node.y);
      if (at.x < 0 || at.x > width || at.y < 0 || at.y > height) continue; // not in view
      const important = node.id === opts.current || node === opts.hovered;
      // A long title is cut to half the box (the current or hovered note's to the whole
      // box), so one title cannot hide its neighbours' labels.
      const room = important ? width - 2 * pad : Math.min(width - 2 * pad, Math.max(110, width / 2));
      let text = node.title;
      let w = ctx.measureText(text).width;
      while (w > room && text.length > 2) {
        text = text.slice(0, -2) + "…";
        w = ctx.measureText(text).width;
      }
      const radius = Math.sqrt(node.val) * graph.nodeRelSize() * scale * (node.id === opts.current ? 1.4 : 1);
      // Under the disc, else above it (near the bottom edge, or where something is below).
      const below = at.y + radius + gap, above = at.y - radius - gap - size;
      const left = Math.min(Math.max(at.x - w / 2, pad), width - pad - w);
      const boxAt = (top) => ({ left: left - 2, top: top - 1, right: left + w + 2, bottom: top + size + 1 });
      const inside = (b) => b.top >= pad - 1 && b.bottom <= height - pad + 1;
      const free = (b) => inside(b) && !placed.concat(discs).some(
        (o) => b.left < o.right && o.left < b.right && b.top < o.bottom && o.top < b.bottom);
      const places = [boxAt(below), boxAt(above)];
      const box = places.find(free) || (important ? places.find(inside) : undefined);
      if (!box) continue;
      const top = box.top + 1;
      const faded = opts.hoverSet.size && !opts.hoverSet.has(node.id);
      ctx.globalAlpha = faded ? 0.3 : 1;
      ctx.fillStyle = important ? opts.colours.label : opts.colours.faint;
      ctx.strokeText(text, left, top);
      ctx.fillText(text, left, top);
      placed.push(Object.assign(box, { title: node.title, text: text }));
    }
    ctx.restore();
    return placed;
  }

  // `aspect` (the box's width / height) makes the pull weaker along the box's long side, so
  // the layout takes the box's shape instead of a disc with empty bands beside it.
  function gravity(strength, aspect) {
    let nodes = [];
    const stretch = Math.sqrt(Math.min(Math.max(aspect, 0.5), 2));
    function force(alpha) {
      for (const node of nodes) {
        // A note without links has nothing holding it but this pull: stronger, so it
        // settles at the cluster's rim instead of far out, leaving a blank band when fitted.
        const pull = strength * alpha * (node.degree ? 1 : 6);
        node.vx -= node.x * pull / stretch;
        node.vy -= node.y * pull * stretch;
      }
    }
    force.initialize = (all) => { nodes = all; };
    return force;
  }

  // A settled layout has no up or down: stretch it (by at most half again) along the axis
  // where it is shorter than the box, so that fitting it leaves no empty bands.
  function stretchToBox(nodes, aspect) {
    if (nodes.length < 3) return;
    const xs = nodes.map((n) => n.x), ys = nodes.map((n) => n.y);
    const w = Math.max(...xs) - Math.min(...xs), h = Math.max(...ys) - Math.min(...ys);
    if (!(w > 0 && h > 0)) return;
    const factor = Math.min((w / h) / aspect, 1.5), other = Math.min(aspect / (w / h), 1.5);
    for (const node of nodes) {
      if (factor > 1) node.y *= factor;
      else if (other > 1) node.x *= other;
    }
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
    const local = mode === "local";
    const current = local ? view.dataset.graphCurrent : null;
    const panel = view.closest(".graph-panel");
    const list = panel ? panel.querySelector(".graph-list") : null;
    const neighbours = index(data);
    if (current !== null && !neighbours.has(current)) {
      if (panel) panel.hidden = true; // this note is not in the graph: nothing to show
      view.dataset.graphState = "empty";
      return;
    }
    let depth = Number(view.dataset.graphDepth || 1);
    if (local) {
      const saved = Number(localStorage.getItem(DEPTH_KEY));
      if (saved === 1 || saved === 2) depth = saved;
    }
    let colours = palette();
    let hovered = null;
    let hoverSet = new Set();
    let byImportance = [];
    const linked = (link) => hovered && (link.source === hovered || link.target === hovered);

    const graph = new ForceGraph(view)
      .width(view.clientWidth)
      .height(view.clientHeight)
      .backgroundColor("rgba(0,0,0,0)")
      .nodeId("id")
      .nodeVal("val")
      .nodeRelSize(local ? 3 : 2.5)
      .nodeLabel(() => "")
      .linkColor((link) => (linked(link) ? colours.linkActive : colours.link))
      .linkWidth((link) => (linked(link) ? 1.5 : 1))
      .linkDirectionalArrowLength(local ? 3 : 0)
      .linkDirectionalArrowRelPos(1)
      .linkLineDash((link) => (link.type === "embed" ? [2, 2] : null))
      // The whole simulation runs off-screen (it stops early once at rest) and the engine
      // stops on the first frame: what is shown first is the settled layout.
      .d3AlphaDecay(local ? 0.04 : 0.0228)
      .warmupTicks(1000)
      .cooldownTicks(0)
      .nodeCanvasObject(function (node, ctx, scale) {
        const radius = Math.sqrt(node.val) * graph.nodeRelSize();
        const isCurrent = node.id === current;
        ctx.globalAlpha = hovered && !hoverSet.has(node.id) ? 0.3 : 1;
        ctx.beginPath();
        ctx.arc(node.x, node.y, isCurrent ? radius * 1.4 : radius, 0, 2 * Math.PI);
        ctx.fillStyle = isCurrent ? colours.current : node === hovered ? colours.hover : colours.node;
        ctx.fill();
        if (isCurrent) {
          ctx.lineWidth = 1.5 / scale;
          ctx.strokeStyle = colours.label;
          ctx.stroke();
        }
        ctx.globalAlpha = 1;
      })
      .onRenderFramePost(function (ctx) {
        view.graphLabels = drawLabels(ctx, graph, graph.graphData().nodes, () => byImportance, {
          colours: colours, current: current, hovered: hovered, hoverSet: hoverSet,
          fontSize: local ? 10 : 11,
        });
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
        rank();
        view.style.cursor = node ? "pointer" : "";
      })
      .onNodeClick(function (node) {
        if (node.id !== current) window.location.assign(node.url);
      })
      .onEngineStop(function () {
        if (view.dataset.graphState !== "drawing") return; // a node dragged and let go
        stretchToBox(graph.graphData().nodes, view.clientWidth / Math.max(view.clientHeight, 1));
        graph.zoomToFit(0, local ? 24 : 40);
        // Shown once a frame has been painted at the fitted zoom.
        requestAnimationFrame(() => requestAnimationFrame(() => {
          view.dataset.graphState = "ready";
        }));
      });
    // Pull every node gently towards the middle, so notes without links stay near the rest
    // instead of drifting to the edge and shrinking the picture when it is fitted.
    graph.d3Force("gravity", gravity(0.05, view.clientWidth / Math.max(view.clientHeight, 1)));
    graph.d3Force("charge").strength(local ? -60 : -40).distanceMax(local ? 300 : 400);

    function rank() {
      const nodes = graph.graphData().nodes;
      const first = (n) => (n.id === current ? 0 : n === hovered ? 1 : hoverSet.has(n.id) ? 2 : 3);
      byImportance = nodes.slice().sort((a, b) =>
        first(a) - first(b) || b.degree - a.degree || a.title.localeCompare(b.title));
    }

    function show() {
      const part = subgraph(data, neighbours, current, depth);
      view.dataset.graphState = "drawing";
      view.dataset.graphNodes = String(part.nodes.length);
      view.dataset.graphLinks = String(part.links.length);
      graph.graphData(part);
      rank();
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
