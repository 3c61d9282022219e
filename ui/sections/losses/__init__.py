"""Sections of the cost-function page (pages/losses.py): the flat cost, one neuron learning slowly,
softmax, the MNIST comparison of costs, and the two common bugs. Each `render(page, ...)` draws its
controls and its results and returns what the page needs (its part of the config, or the result)."""
