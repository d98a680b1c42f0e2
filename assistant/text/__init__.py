"""French text tools, one of each: folding and tokens, sentences, figures, templates."""
