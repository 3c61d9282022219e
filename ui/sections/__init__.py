"""Sections of lesson pages too long for one file: one package per lesson, one module per section,
each a `render(...)` (or a few functions) taking what it needs. The page file keeps the outline."""
