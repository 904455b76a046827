"""The facts: the data model (models.py), safe YAML reading (yamlfile.py), validation, loading
and the JSON Schemas. The only package that imports pydantic and PyYAML; a lookup answered
from the store never imports it."""
