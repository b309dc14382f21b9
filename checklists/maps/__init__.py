"""The planners' map: vector tiles of the registry, water quality, rectifications and evidence photos.

It sits in ``checklists`` because its layers read rectifications and photos (checklists) and water
classes (``scoring.water``), which ``geo`` below may not import; the MVT encoding itself is pure and lives
in :mod:`geo.mvt`."""
