"""The store: finding the data files (discovery.py), their fingerprint (snapshot.py), the cache
folder (folder.py), the SQLite store (sqlite.py), names (names.py) and search queries
(query.py). Standard library only, so that a lookup stays fast."""
