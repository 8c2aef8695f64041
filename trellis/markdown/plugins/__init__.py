"""One markdown-it-py plugin per Obsidian syntax; each module exposes `<name>_plugin(md, ...)`."""
