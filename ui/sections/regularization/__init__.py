"""Sections of the regularization page (pages/regularization.py): curve fitting, a network that
overfits, regularizers side by side, dropout made visible, more data; `common` holds what they share
(the experiments' configs from the widgets, one-click presets, the live training charts)."""
