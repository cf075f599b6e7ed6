"""The ops: each one a forward function and, beside it, its backward node.

PyTorch counterpart: the ATen operators and their derivative formulas in
``tools/autograd/derivatives.yaml``, which generate the ``*Backward0`` nodes.

Every op follows one pattern, so reading one teaches all of them::

    class MulBackward0(Node):
        '''z = x * y;  dL/dx = grad * y;  dL/dy = grad * x'''
        def backward(self, grad):
            x, y = self.saved_tensors
            return grad * y, grad * x

    def mul(input, other):
        x, y = cast_operands(input, other)          # NumPy arrays
        return record(MulBackward0, x * y, (input, other), saved=(input, other))

* the **forward** function computes the result with NumPy and calls
  :func:`~microgrid.autograd.graph.record`, which wraps it in a Tensor and,
  if grad mode is on and an input requires grad, attaches a node;
* the **backward** node is named exactly as PyTorch names it and turns the
  gradient of the result into gradients of the inputs, written with tensor
  ops (so it can itself be differentiated when ``create_graph=True``).
  Broadcasting needs no code in the ops: the engine sums every gradient back
  to its input's shape.

Modules: ``pointwise.py`` (elementwise arithmetic and math functions),
``reduction.py`` (sum, mean, max, var, softmax, ...), ``shape.py`` (reshape,
expand, ...), ``linalg.py`` (matmul ...), ``indexing.py`` (``x[i]``),
``inplace.py`` (``x.add_(y)``, ``x[i] = v``).  ``table.py`` collects every
node's derivative into ``docs/ops.md``.
"""
