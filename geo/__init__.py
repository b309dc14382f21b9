"""The spatial registry: regions with division codes, river sections, sewage facilities; coordinate maths."""
