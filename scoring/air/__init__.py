"""Air quality and dust fall (65号 item 38): readings of the ``geo`` air stations and dust-fall jars, their
imports, the per-town period values (``indicators``: the 每旬 ranking's sources) and the town view."""
