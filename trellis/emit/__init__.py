"""Everything that writes output; each module writes one kind of file through `OutputWriter`."""
