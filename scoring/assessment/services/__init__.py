"""The assessment's writers: recomputing a draft from the inspections, notice and publication as an
immutable final, appeals, task records and award tie decisions."""

from .appeals import (
    appeal_decide,
    appeal_evidence_add,
    appeal_file,
    appeal_for_correction,
    appeal_record_correction,
)
from .awards import award_decide, award_decision_record, task_completion_set, town_tasks_record
from .owners import scheme_owner_check
from .publication import scoreboard_notice, scoreboard_publish
from .recompute import assessment_recompute, recompute_after_commit
from .scoreboards import UnitEvidence, content_hash, row_unit, scoreboard_store_draft

__all__ = [
    "UnitEvidence",
    "appeal_decide",
    "appeal_evidence_add",
    "appeal_file",
    "appeal_for_correction",
    "appeal_record_correction",
    "assessment_recompute",
    "award_decide",
    "award_decision_record",
    "content_hash",
    "recompute_after_commit",
    "row_unit",
    "scheme_owner_check",
    "scoreboard_notice",
    "scoreboard_publish",
    "scoreboard_store_draft",
    "task_completion_set",
    "town_tasks_record",
]
