"""Everything DuckDB: migrations, views, the connection and the batch loader.

This layer imports nothing from ``tasks`` or ``flows``.
"""
