"""Town rankings across the programme: the 每旬 reverse ranking (逆序排名, 65号 item 38) as a scheme
(``scoring/schemes/dekad/*.yaml``) over indicator sources (``indicators.INDICATORS``: air quality, dust fall,
the provincial sections' water), computed by the pure engine ``scoring.engine.rankings``.

Modules: ``schemes`` (reading the YAML), ``indicators`` (the registry of sources), ``selectors`` (one
旬's ranking, the history and 持续靠后), ``schemas`` and ``api``."""
