"""Lesson: transfer learning with a pretrained network.

The lesson CNN is pretrained on all ten MNIST digits (`pretrain`, once per server), then reused for a
new task: scikit-learn's 8×8 handwritten digits, preprocessed like MNIST (`digits`). Its zero-shot
accuracy shows the domain shift; with K labelled images per class, four ways of training are compared
over several seeds and a sweep of K (`experiment`): from scratch, frozen features with a new linear
head, fine-tuning everything, and fine-tuning with a smaller learning rate for the features. The
recipe (freeze every parameter, replace the last layer, give the optimizer only the trainable
parameters) is in `recipe`, checked after a real training step; `densenet` applies it to
torchvision's densenet121 and explains, stage by stage, why a 28×28 input does not fit it.
"""
