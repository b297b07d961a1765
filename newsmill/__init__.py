"""The base layer shared by ``flows``, ``tasks`` and ``warehouse``: settings, errors, versions.

Nothing in this package imports from the three layers above it.
"""
