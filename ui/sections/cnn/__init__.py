"""Sections of the CNN page (pages/cnn.py): the convolution explainer, channels, the first layer's
kernels, feature maps and mistakes, the parameter count."""
