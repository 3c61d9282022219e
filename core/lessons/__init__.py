"""One package per lesson, each with the same named parts.

- `config.py`: the lesson's frozen config (and view) dataclasses, their limits and presets;
- `experiment.py`: plain functions `(config, data, seed, on_progress=None) -> result`, results
  holding tidy DataFrames;
- `charts.py`: pure builders, DataFrame -> `alt.Chart`;
- `story.py`: the page's sentences (takeaways, verdicts), computed from a result;
- lesson-specific modules under plain names (`momentum/surfaces.py`, `cnn/arithmetic.py`, ...).

What several lessons share lives in `core/` itself (`core.compare`, `core.training`, ...).
`LESSON_PACKAGES` names every lesson package present, found on disk: a new lesson's package is
listed by just existing (the layout test checks that each has a page of the same name).
"""
import pkgutil

LESSON_PACKAGES: tuple[str, ...] = tuple(sorted(m.name for m in pkgutil.iter_modules(__path__) if m.ispkg))
