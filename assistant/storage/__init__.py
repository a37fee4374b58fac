"""The SQLite database in the data folder, shared by the knowledge base and the drafts (schema and migrations)."""
