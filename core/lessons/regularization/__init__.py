"""Lesson: overfitting and regularization.

A model generalises when it does as well on new data as on its training data; it overfits when the
training error keeps falling while the error on held-out data stops falling and rises. The lesson shows
it on Bishop's polynomial curve fitting (`curve`) and on Nielsen's small network trained on 1,000 MNIST
images, then compares the cures on one MLP with the same seed and batches (weight decay, dropout, input
noise, max-norm, an activity penalty, early stopping), makes dropout's mask and scaling visible
(`dropout`), and measures what more data does. Configs in `config`, experiments in `experiment`, charts
in `charts`, sentences in `story`.
"""
