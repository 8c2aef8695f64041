"""Turning the public site into HTML strings: note bodies, then whole pages. Writes nothing."""
