"""The ops: each one a forward function and, beside it, its backward node.

PyTorch counterpart: the ATen operators and their derivative formulas in
``tools/autograd/derivatives.yaml``, which generate the ``*Backward0`` nodes.

Every op follows one pattern, so reading one teaches all of them::

    class MulBackward0(Node):
        '''z = x * y;   dL/dx = grad * y;   dL/dy = grad * x'''
        saved_for = (1, 0)   # x is read only by dL/dy, y only by dL/dx
        def backward(self, grad):
            x, y = self.saved_tensors
            return (grad * y if self.needs_input_grad(0) else None,
                    grad * x if self.needs_input_grad(1) else None)

    def mul(input, other):
        return binary(MulBackward0, np.multiply, input, other, "mul", saved=True)

* the **forward** function computes the result with NumPy and calls
  :func:`~microgrid.autograd.graph.record`, which wraps it in a Tensor and,
  if grad mode is on and an input requires grad, attaches a node.  An
  elementwise op of two operands does it in one call, ``binary``, which is
  ``cast_operands`` (NumPy values of PyTorch's result dtype), ``compute``
  (the NumPy function, without NumPy's warnings) and ``record``; other ops
  call the three themselves;
* the **backward** node is named exactly as PyTorch names it and turns the
  gradient of the result into gradients of the inputs, written with tensor
  ops (so it can itself be differentiated when ``create_graph=True``).  It
  computes only the gradients some input needs (``needs_input_grad``), and
  ``saved_for`` tells ``record`` which saved input each gradient reads, so
  nothing nobody reads is kept alive.
  Broadcasting needs no code in the ops: the engine sums every gradient back
  to its input's shape.

Modules: ``pointwise.py`` (elementwise arithmetic and math functions),
``reduction.py`` (sum, mean, max, var, softmax, ...), ``shape.py`` (reshape,
expand, ...), ``linalg.py`` (matmul ...), ``indexing.py`` (``x[i]``),
``inplace.py`` (``x.add_(y)``, ``x[i] = v``).  ``table.py`` collects every
node's derivative into ``docs/ops.md``.

Read next: ``pointwise.py``.
"""
