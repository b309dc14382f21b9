"""The pure scoring engine: plain values and frozen dataclasses in, new ones out.

No Django, ninja or Celery imports (an import-linter contract keeps it so).
"""
