"""Alembic migrations of the dossier store (run by `assistant.store.database.upgrade`)."""
