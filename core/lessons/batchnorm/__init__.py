"""Lesson: batch normalization, layer by layer.

Two identical MLPs, with and without BatchNorm1d, trained side by side: histograms and percentile
bands of every layer's activation inputs over training, the running statistics, and train versus
eval mode on the same batch with one neuron worked through (`modes`).
"""
