"""The inspection lifecycle: idempotent drafts, submit with scoring, review, amendment.

Phones are offline and retry. Every write here is safe to replay: a PUT whose bytes equal the last
accepted one returns the current state; a stale ``If-Match`` with different content is a 409, so two
phones never overwrite each other; a submitted revision is immutable.
"""

from .inspection_drafts import inspection_put, inspection_put_and_submit
from .inspection_review import inspection_review
from .inspection_shared import (
    DeviceLocation,
    DraftInput,
    own_inspection,
    request_digest,
    schemes_counting,
    to_domain_answers,
)
from .inspection_submit import findings_create, inspection_submit, score_json

__all__ = [
    "DeviceLocation",
    "DraftInput",
    "findings_create",
    "inspection_put",
    "inspection_put_and_submit",
    "inspection_review",
    "inspection_submit",
    "own_inspection",
    "request_digest",
    "schemes_counting",
    "score_json",
    "to_domain_answers",
]
