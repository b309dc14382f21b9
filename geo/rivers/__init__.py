"""The river network's Django side (issue 18, 溯源): imported network versions and their lines, sites
(sections, facilities; outfalls and pump stations when their registry lands) snapped to the current
network, the network built by the pure engine (:mod:`geo.network`) once per version and kept in the
process, and the upstream read. Models live in :mod:`geo.rivers.models` (registered through
``geo.models``)."""
