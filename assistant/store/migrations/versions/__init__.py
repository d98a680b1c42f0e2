"""Migration scripts, oldest first: 0001 (accounts, dossiers, versions, comments, audit), 0002."""
