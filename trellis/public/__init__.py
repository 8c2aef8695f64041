"""The privacy boundary: the one place that decides what is published.

`PublicSite` holds the published notes and nothing else. Every later stage (Markdown
rendering, templates, emitters) reads from it, so a private note cannot reach the output:
links to it are resolved against published notes only, and attachments are copied only
when a published note uses them.
"""

from trellis.public.site import PublicAttachment, PublicSite, PublishedNote, build_public_site

__all__ = ["PublicAttachment", "PublicSite", "PublishedNote", "build_public_site"]
