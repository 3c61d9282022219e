"""Lesson: convolutional networks, from one convolution to a trained CNN's feature maps.

One convolution computed by hand on a real digit, with stride, padding, pooling and several
channels (`arithmetic`); then the lesson CNN trained on MNIST with and without batch norm, its
learned kernels, feature maps, predictions and mistakes, and its parameter count against an MLP.
"""
