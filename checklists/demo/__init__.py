"""Haimen demo data for the checklists: templates, assignments, inspections in every state,
findings and rectifications, and one spot-check draw. Synthetic: every inspection here is invented to
show the workflow; the answers are not real observations. Idempotent (fixed client UUIDs). Every
inspection and assignment states the year it assesses (``period``): the current year."""

from .assessment import load_assessment, load_correction
from .audits import load, load_survey
from .outfalls import load_outfall_inspections

__all__ = ["load", "load_assessment", "load_correction", "load_outfall_inspections", "load_survey"]
