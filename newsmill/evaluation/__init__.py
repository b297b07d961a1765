"""Measuring newsmill: the scores written once (``measures``) and one module per benchmark.

Not a pipeline stage: it imports the stages to run them on benchmark data and never the
other way round.
"""
