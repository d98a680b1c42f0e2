"""The index: built on disk (BM25, Chroma, manifest), opened, checked, kept up in a process."""
