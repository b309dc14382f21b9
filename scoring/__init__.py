"""Scoring: the pure engine (scoring/engine) and, around it, assessment schemes and scoreboards."""
