"""Writing scoreboards: a fresh draft from unit inputs, and publication as an immutable final."""

from .appeals import appeal_decide, appeal_file, appeal_for_correction, appeal_record_correction
from .awards import award_decide, task_completion_set
from .owners import scheme_owner_check
from .publication import scoreboard_notice, scoreboard_publish
from .scoreboards import UnitEvidence, content_hash, row_unit, scoreboard_store_draft

__all__ = [
    "UnitEvidence",
    "appeal_decide",
    "appeal_file",
    "appeal_for_correction",
    "appeal_record_correction",
    "award_decide",
    "content_hash",
    "row_unit",
    "scheme_owner_check",
    "scoreboard_notice",
    "scoreboard_publish",
    "scoreboard_store_draft",
    "task_completion_set",
]
