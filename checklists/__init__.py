"""Checklist templates, inspections, findings and rectifications; the inspector's mobile API."""
