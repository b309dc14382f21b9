"""The one place the console imports other rooms' services and selectors.

Pages import what they need from here, so when a selector moves (the assessment code is moving to
``scoring.assessment``) only this file changes. Nothing here holds a rule: it re-exports.
"""

from accounts.selectors import principal_for
from scoring.assessment.selectors import scoreboard_catalogue

__all__ = ["principal_for", "scoreboard_catalogue"]
