"""Lesson: cost functions and softmax — why classification trains with cross-entropy.

Five parts, each a plain function of its own config (`config`):

- `surfaces`: the mean squared error of a step (threshold) neuron on a logic gate over a grid of two
  weights is flat almost everywhere, and autograd gives it no gradient; a sigmoid neuron's is smooth;
- `neuron`: Nielsen's one neuron (input 1, target 0, w = b = 2) learning slowly with the quadratic
  cost and without slowdown with cross-entropy, trained by `core.training`;
- `softmax`: ten logits and a temperature to probabilities, log-probabilities and the cross-entropy
  of the true class, and PyTorch's CrossEntropyLoss = LogSoftmax + NLLLoss identity;
- `experiment`: the same MNIST network trained with every cost of `core.losses` (cross-entropy, the
  quadratic cost summed or averaged over the outputs, MSE on sigmoid outputs, per-output binary
  cross-entropy, and the two classic bugs), with the gradient that reaches the output layer;
- `charts` and `story`: the pictures and the sentences, computed from the results.
"""
