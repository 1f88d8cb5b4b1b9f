"""Pure computation for data monitoring: funnels, grading, anomalies, attribution, ROI.

DataFrames and numbers in, DataFrames and numbers out. Nothing here may import
Django, DRF, Celery or the project's apps (an import-linter contract in
pyproject.toml enforces it), so every function is tested without a database.
"""
