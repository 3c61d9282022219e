"""Lesson: vanishing gradients and residual connections.

In a deep plain network the gradient reaching the first layers is a product of one Jacobian per layer
above them, and it can shrink until those layers stop learning: the loss falls very slowly and the
early layers' gradient norms are tiny. A residual connection h ← h + α·f(W h + b) adds an identity path
on which the gradient arrives unchanged, because a sum's derivative is the sum of the derivatives:
∂h_{l+1}/∂h_l = I + α ∂f/∂h. The page trains a plain MLP and the same MLP with skips from the same
initial weights on the same batches, charts every layer's gradient norms during training, splits the
gradient reaching each layer into its identity and branch parts (`paths`), and slices the loss around
the trained weights (`landscape`, Li et al. 2018).
"""
