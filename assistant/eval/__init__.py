"""Evaluation: the metrics of the shared scorers (metrics.py) and the dev-set figures for retrieval,
answers and step cards that `assistant eval` reports."""
