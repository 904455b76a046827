"""The store: finding the data files (discovery.py), their fingerprint (snapshot.py), the cache
folder (folder.py), the SQLite store (sqlite.py), names (names.py) and search queries
(query.py). The standard library, xxhash and platformdirs only: a lookup answered from the
store never imports Typer, pydantic, PyYAML or Rich (tests/test_lazy_imports.py)."""
