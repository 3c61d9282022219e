"""Sections of the momentum page (/momentum)."""
