"""Trellis: publish the public part of an Obsidian vault as a static digital garden."""

__version__ = "0.1.0"
