"""Users, roles bound to regions, per-device bearer tokens."""
