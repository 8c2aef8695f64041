"""Generic structures over notes: name resolution, headings, block ids, links, tags.

Nothing here knows about publishing: `trellis.public` builds these over published notes
only, so whatever they answer is already safe to show.
"""
