"""Imported FDA labels: openFDA's drug label files read as a stream (openfda), their text made
readable word for word (text), kept in SQLite in the user's data folder (store), and shown as
the same documents as curated facts, with `origin: "label"` (documents)."""
