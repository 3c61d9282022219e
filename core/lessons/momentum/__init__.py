"""Lesson: gradient descent with momentum, on loss surfaces and on a real network.

`torch.optim.SGD` paths for several β on saddle, two-minima, plateau, narrow-valley, Rosenbrock
and 1-D surfaces (`surfaces`), what each run did measured from its positions, the lesson's form of
the update rule checked against PyTorch's, then the MNIST MLP trained once per β.
"""
