"""One package per lesson, each with the same named parts.

- `config.py`: the lesson's frozen config (and view) dataclasses, their limits and presets;
- `experiment.py`: plain functions `(config, data, seed, on_progress=None) -> result`, results
  holding tidy DataFrames;
- `charts.py`: pure builders, DataFrame -> `alt.Chart`;
- `story.py`: the page's sentences (takeaways, verdicts), computed from a result;
- lesson-specific modules under plain names (`momentum/surfaces.py`, `cnn/arithmetic.py`, ...).

What several lessons share lives in `core/` itself (`core.compare`, `core.training`, ...). A new
lesson adds its package name to `LESSON_PACKAGES`.
"""

LESSON_PACKAGES = ("activations", "initialization", "momentum", "batchnorm", "cnn")
