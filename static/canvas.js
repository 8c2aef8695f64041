// Pan and zoom for published canvases (trellis/canvas). Without this script a canvas is a
// scrollable box at its natural size; with it the box becomes a viewport: drag the empty
// board (or use one finger) to pan, the wheel to pan, Ctrl/⌘ + wheel or two fingers to
// zoom at the pointer, + / − / 0 and the arrow keys when the board has focus, and the
// buttons to zoom or fit the board to the view.
(function () {
  "use strict";
  var MIN = 0.1, MAX = 3, STEP = 1.2;

  function setup(wrapper) {
    var viewport = wrapper.querySelector(".canvas-viewport");
    var board = wrapper.querySelector(".canvas");
    var controls = wrapper.querySelector(".canvas-controls");
    if (!viewport || !board) return;
    var state = { x: 0, y: 0, s: 1 };
    var pointers = new Map();
    var last = null;

    function apply() {
      board.style.transform =
        "translate(" + state.x + "px," + state.y + "px) scale(" + state.s + ")";
      wrapper.style.setProperty("--canvas-scale", state.s);
    }

    function zoomAt(factor, cx, cy) {
      var next = Math.min(MAX, Math.max(MIN, state.s * factor));
      var ratio = next / state.s;
      state.x = cx - (cx - state.x) * ratio;
      state.y = cy - (cy - state.y) * ratio;
      state.s = next;
      apply();
    }

    function fit() {
      var w = board.offsetWidth, h = board.offsetHeight;
      var vw = viewport.clientWidth, vh = viewport.clientHeight;
      if (!w || !h || !vw || !vh) return;
      state.s = Math.min(1, vw / w, vh / h);
      state.x = (vw - w * state.s) / 2;
      state.y = (vh - h * state.s) / 2;
      apply();
    }

    wrapper.classList.add("is-interactive");
    if (controls) controls.hidden = false;
    board.style.transformOrigin = "0 0";
    fit();

    viewport.addEventListener("wheel", function (event) {
      event.preventDefault();
      var rect = viewport.getBoundingClientRect();
      if (event.ctrlKey || event.metaKey) {
        zoomAt(event.deltaY < 0 ? STEP : 1 / STEP, event.clientX - rect.left,
               event.clientY - rect.top);
      } else {
        state.x -= event.deltaX;
        state.y -= event.deltaY;
        apply();
      }
    }, { passive: false });

    viewport.addEventListener("pointerdown", function (event) {
      // Dragging starts on the empty board or a group, not on a note's text or a link.
      if (event.target.closest(".canvas-node:not(.canvas-node-group), a, button")) return;
      viewport.setPointerCapture(event.pointerId);
      pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      last = null;
    });
    viewport.addEventListener("pointermove", function (event) {
      if (!pointers.has(event.pointerId)) return;
      var before = pointers.get(event.pointerId);
      pointers.set(event.pointerId, { x: event.clientX, y: event.clientY });
      if (pointers.size === 1) {
        state.x += event.clientX - before.x;
        state.y += event.clientY - before.y;
        apply();
      } else if (pointers.size === 2) {
        var pts = Array.from(pointers.values());
        var dist = Math.hypot(pts[0].x - pts[1].x, pts[0].y - pts[1].y);
        var rect = viewport.getBoundingClientRect();
        if (last) {
          zoomAt(dist / last, (pts[0].x + pts[1].x) / 2 - rect.left,
                 (pts[0].y + pts[1].y) / 2 - rect.top);
        }
        last = dist;
      }
    });
    function release(event) {
      pointers.delete(event.pointerId);
      last = null;
    }
    viewport.addEventListener("pointerup", release);
    viewport.addEventListener("pointercancel", release);

    viewport.addEventListener("keydown", function (event) {
      var cx = viewport.clientWidth / 2, cy = viewport.clientHeight / 2;
      var moves = { ArrowLeft: [40, 0], ArrowRight: [-40, 0], ArrowUp: [0, 40], ArrowDown: [0, -40] };
      if (event.key === "+" || event.key === "=") zoomAt(STEP, cx, cy);
      else if (event.key === "-") zoomAt(1 / STEP, cx, cy);
      else if (event.key === "0") fit();
      else if (moves[event.key]) {
        state.x += moves[event.key][0];
        state.y += moves[event.key][1];
        apply();
      } else return;
      event.preventDefault();
    });

    if (controls) {
      controls.addEventListener("click", function (event) {
        var button = event.target.closest("[data-canvas-zoom]");
        if (!button) return;
        var cx = viewport.clientWidth / 2, cy = viewport.clientHeight / 2;
        var kind = button.getAttribute("data-canvas-zoom");
        if (kind === "in") zoomAt(STEP, cx, cy);
        else if (kind === "out") zoomAt(1 / STEP, cx, cy);
        else fit();
      });
    }
    window.addEventListener("resize", function () { if (!pointers.size) fit(); });
    wrapper.trellisCanvas = { state: state, fit: fit, zoomAt: zoomAt };
  }

  function init() {
    document.querySelectorAll(".canvas-wrapper[data-canvas]").forEach(setup);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
