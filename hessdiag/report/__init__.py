"""Reports of a run: the `Report` document, its JSON Schema, terminal tables, HTML and PNG files.

Writers are atomic (temp file + `os.replace`); nothing here computes a measurement.
"""
