"""Lesson: weight initialization decides whether a deep network learns at all.

Per scheme (all-equal, uniform, scaled uniform, PyTorch's default, Xavier, He), the gradient that
reaches each layer of a deep MLP before any training and the shape of its activations, a verdict
computed from them (`health`), the same network trained once per scheme, and why all-equal
weights never break their symmetry (`symmetry`).
"""
