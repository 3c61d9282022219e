"""Sections of the basics page (pages/basics.py): one neuron, the perceptron and XOR, the training loop
on the sum-of-three network (step by step, then in full), and the quickstart's classifier. Each section
draws its widgets (keyed `basics.<field>`, the BasicsConfig field names), builds its part of the config
and returns the fields it owns, so the page can put the whole state in the URL."""
