"""The live-reload script, and its injection into HTML the preview serves (never into files).

The script is kept here as a string, not as a `.js` file, so it ships with the package
without packaging configuration. It listens on the Server-Sent Events endpoint and:

- reloads the page when a build needing a reload happened since the page was served
  (keeping the scroll position through sessionStorage),
- re-fetches same-origin stylesheets with a cache-busting query when only CSS changed,
- shows an overlay with the error of a failed build, and removes it once a build succeeds;
- on the "not found" page of a note that an error in its source keeps out of the site (a
  YAML typo), shows that error the same way (`problem`, given by the server with the page).

A hidden tab closes its connection (and checks again when shown), so background tabs do not
use up the browser's six connections per host.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping

from trellis.serve.state import Snapshot

EVENTS_PATH = "/_trellis/events"
SCRIPT_ID = "trellis-livereload"

_SCRIPT = r"""
(function () {
  "use strict";
  var boot = __BOOT__;
  var version = boot.version;
  var pageProblem = boot.problem || null;
  var scrollKey = "trellis-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    var restore = function () { window.scrollTo(0, parseFloat(saved) || 0); };
    if (document.readyState === "complete") restore();
    else window.addEventListener("load", restore);
  }

  function reload() {
    sessionStorage.setItem(scrollKey, String(window.scrollY));
    location.reload();
  }

  function swapStyles(stamp) {
    var links = document.querySelectorAll('link[rel~="stylesheet"]');
    for (var i = 0; i < links.length; i++) {
      var url = new URL(links[i].href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("_trellis", String(stamp));
      links[i].href = url.href;
    }
  }

  function showError(error) {
    error = error || pageProblem;
    var box = document.getElementById("trellis-error");
    if (!error) {
      if (box) box.remove();
      return;
    }
    if (!box) {
      box = document.createElement("div");
      box.id = "trellis-error";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;z-index:2147483647;" +
        "max-height:60vh;overflow:auto;padding:1rem 1.25rem;border-radius:8px;" +
        "background:#2b0b0e;color:#ffd7d7;border:2px solid #ff6b6b;" +
        "font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;" +
        "box-shadow:0 8px 30px rgba(0,0,0,.4)";
      (document.body || document.documentElement).appendChild(box);
    }
    box.textContent = "";
    var title = document.createElement("strong");
    title.textContent =
      error.title || "Trellis: the rebuild failed; this is the last good version.";
    var where = document.createElement("div");
    where.className = "trellis-error-where";
    where.textContent = error.file ? error.file + (error.line ? ":" + error.line : "") : "";
    var text = document.createElement("pre");
    text.className = "trellis-error-message";
    text.style.cssText = "white-space:pre-wrap;margin:.5rem 0 0";
    text.textContent = error.message;
    box.append(title, where, text);
  }

  function onState(event) {
    var state = JSON.parse(event.data);
    showError(state.error);
    if (state.session !== boot.session || state.reload_version > version) {
      reload();
    } else if (state.version > version) {
      swapStyles(state.version);
      version = state.version;
    }
  }

  var source = null;
  function connect() {
    if (source) return;
    source = new EventSource(boot.events);
    source.addEventListener("state", onState);
  }
  function disconnect() {
    if (source) source.close();
    source = null;
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") disconnect(); else connect();
  });
  window.addEventListener("pagehide", disconnect);
  if (document.visibilityState !== "hidden") connect();
  if (pageProblem) showError(null);
})();
"""

_ERROR_PLACE = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+): ")


def error_payload(error: str | None) -> dict[str, object] | None:
    """The error as the overlay shows it: message, and the file and line it names first."""
    if error is None:
        return None
    match = _ERROR_PLACE.match(error)
    return {
        "message": error,
        "file": match["file"] if match else "",
        "line": int(match["line"]) if match else None,
    }


def state_message(snapshot: Snapshot) -> dict[str, object]:
    return {
        "version": snapshot.version,
        "reload_version": snapshot.reload_version,
        "session": snapshot.session,
        "error": error_payload(snapshot.error),
    }


def script_tag(snapshot: Snapshot, problem: Mapping[str, object] | None = None) -> str:
    if problem is None:
        return _plain_script_tag(snapshot)
    return _script_tag(snapshot, problem)


@functools.lru_cache(maxsize=4)
def _plain_script_tag(snapshot: Snapshot) -> str:
    """The tag of every page of a version but a dropped note's (made once, not per request)."""
    return _script_tag(snapshot, None)


def _script_tag(snapshot: Snapshot, problem: Mapping[str, object] | None) -> str:
    boot = {
        "version": snapshot.version,
        "session": snapshot.session,
        "events": EVENTS_PATH,
        "problem": problem,
    }
    # No `<` of a file name or message may reach the HTML parser inside the script element
    # (`</script>` would end it, `<!--` would change how its end is found).
    data = json.dumps(boot).replace("<", "\\u003c").replace(">", "\\u003e")
    code = _SCRIPT.replace("__BOOT__", data).replace("</", "<\\/")
    return f'<script id="{SCRIPT_ID}">{code}</script>'


def inject(html: bytes, snapshot: Snapshot, problem: Mapping[str, object] | None = None) -> bytes:
    """`html` with the live-reload script before its last `</body>` (or at the end).

    `problem`: the error that keeps this page's note out of the site, shown over the page.
    """
    tag = script_tag(snapshot, problem).encode("utf-8")
    # `</body>` ends a page: look in its tail first rather than lower-casing all of it.
    tail = max(0, len(html) - 4096)
    at = html[tail:].lower().rfind(b"</body>")
    at = tail + at if at >= 0 else html.lower().rfind(b"</body>")
    if at < 0:
        return html + tag
    return html[:at] + tag + html[at:]
