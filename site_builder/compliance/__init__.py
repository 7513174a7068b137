"""Compliance evidence: requirements map (data) and live status figures (issue #11)."""
