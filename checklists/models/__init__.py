"""Templates (immutable published versions), assignments, inspections and their revisions, photos,
findings, rectifications and spot-check draws."""

from .assignments import Assignment, AssignmentStatus, Purpose
from .corrections import CorrectionAction, InspectionCorrection
from .evidence import AppealPhoto, EvidencePhoto, InspectionPhoto, RectificationPhoto
from .inspections import Finding, Inspection, InspectionRevision, InspectionStatus
from .rectifications import RECTIFICATION_DONE, Rectification, RectificationStatus
from .spotchecks import SpotCheck
from .subjected import SUBJECT_KIND_CHOICES, Subjected
from .templates import ChecklistTemplate, TemplateStatus

__all__ = [
    "RECTIFICATION_DONE",
    "SUBJECT_KIND_CHOICES",
    "AppealPhoto",
    "Assignment",
    "AssignmentStatus",
    "ChecklistTemplate",
    "CorrectionAction",
    "EvidencePhoto",
    "Finding",
    "Inspection",
    "InspectionCorrection",
    "InspectionPhoto",
    "InspectionRevision",
    "InspectionStatus",
    "Purpose",
    "Rectification",
    "RectificationPhoto",
    "RectificationStatus",
    "SpotCheck",
    "Subjected",
    "TemplateStatus",
]
