"""Lesson: convolutional networks, from one convolution to a trained CNN's feature maps.

One convolution computed by hand on a real digit, with stride, padding, pooling and several
channels (`arithmetic`); then the lesson CNN trained on MNIST with and without batch norm, its
learned kernels, feature maps, predictions and mistakes, its parameter count and error against an
MLP (LeCun et al. 1998 beside ours), and a digit drawn on the page read by it (`drawing`).
"""
