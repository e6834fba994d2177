"""Scoring dyad against gold data: one reader per gold format, shared scoring."""
