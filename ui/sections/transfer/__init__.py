"""Sections of the transfer page (pages/transfer.py): the new task beside MNIST and the zero-shot
accuracy, the recipe checked on the real network, the K-shot sweep, and densenet121."""
