"""What static hosts read at the output root, and the redirect pages of moved notes.

- `.nojekyll`: GitHub Pages runs Jekyll on branch deploys, which drops every folder whose
  name starts with `_` (`_trellis/`, the search index) unless this file is there.
- a small page at each old URL (`trellis.public.redirects` decides which): a meta refresh,
  the canonical URL and a plain link, so browsers, crawlers and readers without script
  all land on the new page; it is kept out of search and the sitemap.
- `_redirects`: the same redirects as 301s, for Netlify and Cloudflare Pages.
"""

from __future__ import annotations

from html import escape

from trellis.emit.writer import OutputWriter
from trellis.public.redirects import Redirect
from trellis.public.site import PublicSite
from trellis.public.urls import output_file

NOJEKYLL = ".nojekyll"
REDIRECTS_FILE = "_redirects"


def redirect_page(site: PublicSite, redirect: Redirect) -> str:
    """The HTML written at `redirect.url`: it names only the published page it leads to."""
    settings = site.settings
    target = redirect.target
    href = escape(site.href(target.url))
    canonical = escape(settings.site_origin + site.href(target.url))
    title = escape(target.title)
    return (
        "<!doctype html>\n"
        f'<html lang="{escape(settings.language)}">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f"<title>{title}</title>\n"
        f'<link rel="canonical" href="{canonical}">\n'
        '<meta name="robots" content="noindex">\n'
        f'<meta http-equiv="refresh" content="0; url={href}">\n'
        "</head>\n"
        "<body>\n"
        f'<p>This page has moved: <a href="{href}">{title}</a>.</p>\n'
        "</body>\n"
        "</html>\n"
    )


def emit_hosting(site: PublicSite, redirects: list[Redirect], writer: OutputWriter) -> int:
    """Write `.nojekyll`, the redirect pages and `_redirects`; the number of redirects."""
    writer.write_bytes(NOJEKYLL, b"")
    for redirect in redirects:
        writer.write_text(output_file(redirect.url), redirect_page(site, redirect))
    if redirects:
        lines = [f"{site.href(r.url)} {site.href(r.target.url)} 301" for r in redirects]
        writer.write_text(REDIRECTS_FILE, "\n".join(lines) + "\n")
    return len(redirects)
