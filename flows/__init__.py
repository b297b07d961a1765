"""Prefect flows that wire the stages together in batches, and the ``newsmill`` CLI."""
