"""Lesson: activation functions, their derivatives, and what they do to learning.

f(x) and f'(x) by autograd on the very modules the networks train with, where each function
saturates, how the chain rule multiplies the derivatives through the depth of a freshly initialised
network (`depth`), and the same MLP trained on MNIST once per activation.
"""
