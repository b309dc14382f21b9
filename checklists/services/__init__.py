"""Writes of the checklists app: templates, inspections, photos, reviews, rectifications, spot checks."""
