"""The assessment (考核) of towns, departments and enterprises in one home: schemes, scoreboards and
their recompute, notice and publication, appeals, task records and award tie decisions, scorecards,
the 通报 exports and every ``/scoreboards/*`` route. Inspections are read through one narrow port
(``source.py``) that the checklists app implements; see ``docs/architecture.md``."""
