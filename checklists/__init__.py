"""Checklist templates (versioned YAML), inspections, findings, rectifications and spot checks.

Also the inspector's mobile API.
"""
