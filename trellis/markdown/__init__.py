"""Obsidian-flavoured Markdown on markdown-it-py: one parser per build, one plugin per syntax.

Plugins know nothing of the vault: they take callbacks (resolve a link, render an embed,
a tag's URL) and collect what a note declares into `env["content"]` (a `NoteContent`).
"""
