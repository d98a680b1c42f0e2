"""Retrieval: hybrid search (BM25 and dense, fused by rank) and question routing."""
