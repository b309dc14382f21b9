"""The audit log: who changed what, from which device, when, with before/after. Append-only."""
