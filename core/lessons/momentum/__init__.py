"""Lesson: gradient descent with momentum, on loss surfaces and on a real network.

`torch.optim.SGD` paths for several β on saddle, two-minima, plateau, narrow-valley, Rosenbrock
and 1-D surfaces (`surfaces`), on the course lab's two polynomials and on a formula of the student's
own (`formulas`: critical points found numerically), with optional seeded gradient noise; what each
run did measured from its positions; the (ηλ, β) map of where momentum converges, ripples,
overshoots or diverges, checked against the runs (`regimes`, after Goh 2017); the lesson's form of
the update rule checked against PyTorch's, then the MNIST MLP trained once per β.
"""
