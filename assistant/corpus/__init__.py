"""The corpus: its catalog, the document loaders, the cleaning and structure-aware chunking."""
