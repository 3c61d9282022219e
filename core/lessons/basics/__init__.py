"""Lesson: how a network learns — one neuron, Rosenblatt's perceptron, and the training loop.

A neuron computes a weighted sum z = w·x + b and passes it through an activation (`neuron`).
Rosenblatt's perceptron (a step activation and the rule w ← w + η(y − ŷ)x) learns AND, OR and
NAND but never XOR; two layers of sigmoid neurons trained by gradient descent do (`perceptron`).
Every network learns by repeating forward pass → loss → backward pass → optimizer step, shown one
mini-batch at a time on a 3 → 4 → 1 ReLU network that learns to add three numbers (`loop`), then
trained in full, and finally the PyTorch quickstart's 784-512-512-10 classifier trained live
(`experiment`, `classifier`).
"""
