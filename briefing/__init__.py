"""Briefings: the story told as slides (presentation mode) and the offline briefing pack."""
