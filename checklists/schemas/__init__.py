"""The checklists app's API schemas, one module per concept; every schema is re-exported here, so
``from checklists.schemas import X`` keeps working."""

from .catalogue import AssignmentOut, Catalogue, SubjectRef, TemplateOut
from .inspections import (
    AnswerIn,
    CorrectionOut,
    DeviceLocationIn,
    FindingOut,
    InspectionAck,
    InspectionIn,
    InspectionOut,
    InspectionSummary,
    RevisionOut,
    SubmitIn,
)
from .photos import PhotoFlagOut, PhotoOut
from .rectifications import RectificationOut, TownOverdueOut, TransitionIn
from .review import AmendIn, ReviewIn, WithdrawIn
from .spotchecks import SpotCheckIn, SpotCheckOut, SpotCheckVerifyOut, SpotComparisonOut, SpotSampleOut

__all__ = [
    "AmendIn",
    "AnswerIn",
    "AssignmentOut",
    "Catalogue",
    "CorrectionOut",
    "DeviceLocationIn",
    "FindingOut",
    "InspectionAck",
    "InspectionIn",
    "InspectionOut",
    "InspectionSummary",
    "PhotoFlagOut",
    "PhotoOut",
    "RectificationOut",
    "ReviewIn",
    "RevisionOut",
    "SpotCheckIn",
    "SpotCheckOut",
    "SpotCheckVerifyOut",
    "SpotComparisonOut",
    "SpotSampleOut",
    "SubjectRef",
    "SubmitIn",
    "TemplateOut",
    "TownOverdueOut",
    "TransitionIn",
    "WithdrawIn",
]
