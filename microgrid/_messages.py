"""PyTorch's longer error and warning texts, word for word, in one place.

PyTorch counterpart: the messages of ``TORCH_CHECK``/``TORCH_WARN`` in its C++
core (hence the "Triggered internally at ..." endings, part of the text
PyTorch prints).  A program that catches an error and prints it must print
PyTorch's bytes, so these are copied exactly; keeping them here keeps the
code that raises them short.  Skip this file.

Read next: ``autograd/saved_variable.py``.
"""

FREED_SAVED_TENSORS = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)

INFERENCE_SAVE = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`.")

NO_GRAD_VIEW_INPLACE = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the no_grad block "
    "(if you don't want the inplace to be tracked) or both outside (if you want the inplace to "
    "be tracked).")

SEQUENCE_INDEX_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error "
    "or a different result (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/python_variable_indexing.cpp:349.)")

NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information. (Triggered "
    "internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)")


CREATE_GRAPH_CYCLE = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this "
    "function, make sure to reset the .grad fields of your parameters to None after use "
    "to break the cycle and avoid the leak. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:1307.)")


def modified_in_place(type_name: str, shape: list, made_by: str, version: int,
                      expected: int) -> str:
    """A tensor saved for backward was changed by an in-place op."""
    return (
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [torch.{type_name}Tensor {shape}]{made_by} is at version "
        f"{version}; expected version {expected} instead. Hint: enable anomaly detection to "
        "find the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )

# -- issue 16's tensor surface: from_numpy, new_tensor ------------------------------------
NEW_TENSOR_COPY_WARNING = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
    "or sourceTensor.detach().clone().requires_grad_(True), rather than "
    "tensor.new_tensor(sourceTensor).")

NOT_WRITABLE_WARNING = (
    "The given NumPy array is not writable, and PyTorch does not support non-writable tensors. "
    "This means writing to this tensor will result in undefined behavior. You may want to copy "
    "the array to protect its data or make it writable before converting it to a tensor. This "
    "type of warning will be suppressed for the rest of this program. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/utils/tensor_numpy.cpp:213.)")

NEGATIVE_STRIDES = (
    "At least one stride in the given numpy array is negative, and tensors with negative "
    "strides are not currently supported. (You can probably work around this by making a copy "
    "of your array  with array.copy().) ")

FROM_NUMPY_TYPES = (
    "The only supported types are: float64, float32, float16, complex64, complex128, int64, "
    "int32, int16, int8, uint64, uint32, uint16, uint8, and bool.")

INTERNAL_OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation.")

GRAD_DTYPE = (
    "attempting to assign a gradient with dtype '{got}' to a tensor with grad_dtype '{want}'. "
    "The gradient must match the tensor's grad_dtype (defaults to the tensor's dtype). You can "
    "set the tensor's grad_dtype attribute with a specific dtype, or None to allow any dtype. "
    "Set grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may break "
    "downstream systems that assume they match.")

DEEPCOPY_NON_LEAF = (
    "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol "
    "at the moment.  If you were attempting to deepcopy a module, this may be because of a "
    "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001")


def to_invalid_combination(got: str) -> str:
    """``Tensor.to`` given something that is no dtype, device or tensor."""
    return (f"to() received an invalid combination of arguments - got {got}, but expected one "
            "of:\n * (torch.device device = None, torch.dtype dtype = None, bool non_blocking = "
            "False, bool copy = False, *, torch.memory_format memory_format = None)\n * "
            "(torch.dtype dtype, bool non_blocking = False, bool copy = False, *, "
            "torch.memory_format memory_format = None)\n * (Tensor tensor, bool non_blocking "
            "= False, bool copy = False, *, torch.memory_format memory_format = None)\n")


# -- issue 18: the signatures PyTorch's argument parser lists --------------------------------
#: For each overloaded function (``"Tensor.sum"``: the method), its signatures
#: as PyTorch prints them when a call fits none (``_arguments.invalid_arguments``).
#: Read from torch by ``tests/overload_probe.py``; ``tests/test_overloads.py``
#: checks that they are still torch's.
SIGNATURES = {
    "Tensor.all": (
        '()',
        '(tuple of ints dim = None, bool keepdim = False)',
        '(int dim, bool keepdim = False)',
    ),
    "Tensor.any": (
        '()',
        '(tuple of ints dim = None, bool keepdim = False)',
        '(int dim, bool keepdim = False)',
    ),
    "Tensor.bernoulli": (
        '(*, torch.Generator generator = None)',
        '(float p, *, torch.Generator generator = None)',
    ),
    "Tensor.bernoulli_": (
        '(Tensor p, *, torch.Generator generator = None)',
        '(float p = 0.5, *, torch.Generator generator = None)',
    ),
    "Tensor.bitwise_and": (
        '(Tensor other)',
        '(Number other)',
    ),
    "Tensor.bitwise_and_": (
        '(Tensor other)',
        '(Number other)',
    ),
    "Tensor.bitwise_or": (
        '(Tensor other)',
        '(Number other)',
    ),
    "Tensor.bitwise_or_": (
        '(Tensor other)',
        '(Number other)',
    ),
    "Tensor.bitwise_xor": (
        '(Tensor other)',
        '(Number other)',
    ),
    "Tensor.bitwise_xor_": (
        '(Tensor other)',
        '(Number other)',
    ),
    "Tensor.clamp": (
        '(Tensor min = None, Tensor max = None)',
        '(Number min = None, Number max = None)',
    ),
    "Tensor.clamp_": (
        '(Tensor min = None, Tensor max = None)',
        '(Number min = None, Number max = None)',
    ),
    "Tensor.clamp_max": (
        '(Tensor max)',
        '(Number max)',
    ),
    "Tensor.clamp_max_": (
        '(Tensor max)',
        '(Number max)',
    ),
    "Tensor.clamp_min": (
        '(Tensor min)',
        '(Number min)',
    ),
    "Tensor.clamp_min_": (
        '(Tensor min)',
        '(Number min)',
    ),
    "Tensor.clip": (
        '(Tensor min = None, Tensor max = None)',
        '(Number min = None, Number max = None)',
    ),
    "Tensor.clip_": (
        '(Tensor min = None, Tensor max = None)',
        '(Number min = None, Number max = None)',
    ),
    "Tensor.div": (
        '(Tensor other)',
        '(Tensor other, *, str rounding_mode)',
        '(Number other, *, str rounding_mode)',
    ),
    "Tensor.div_": (
        '(Tensor other)',
        '(Tensor other, *, str rounding_mode)',
        '(Number other, *, str rounding_mode)',
    ),
    "Tensor.eq": (
        '(Tensor other)',
        '(Number other)',
    ),
    "Tensor.fill_": (
        '(Tensor value)',
        '(Number value)',
    ),
    "Tensor.floor_divide": (
        '(Tensor other)',
        '(Number other)',
    ),
    "Tensor.floor_divide_": (
        '(Tensor other)',
        '(Number other)',
    ),
    "Tensor.ge": (
        '(Tensor other)',
        '(Number other)',
    ),
    "Tensor.gt": (
        '(Tensor other)',
        '(Number other)',
    ),
    "Tensor.histogram": (
        '(Tensor bins, *, Tensor weight = None, bool density = False)',
        '(int bins = 100, *, tuple of floats range = None, Tensor weight = None, '
        'bool density = False)',
    ),
    "Tensor.le": (
        '(Tensor other)',
        '(Number other)',
    ),
    "Tensor.lt": (
        '(Tensor other)',
        '(Number other)',
    ),
    "Tensor.masked_fill": (
        '(Tensor mask, Tensor value)',
        '(Tensor mask, Number value)',
    ),
    "Tensor.masked_fill_": (
        '(Tensor mask, Tensor value)',
        '(Tensor mask, Number value)',
    ),
    "Tensor.max": (
        '()',
        '(Tensor other)',
        '(int dim, bool keepdim = False)',
    ),
    "Tensor.mean": (
        '(*, torch.dtype dtype = None)',
        '(tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None)',
    ),
    "Tensor.min": (
        '()',
        '(Tensor other)',
        '(int dim, bool keepdim = False)',
    ),
    "Tensor.narrow": (
        '(int dim, Tensor start, int length)',
        '(int dim, int start, int length)',
    ),
    "Tensor.ne": (
        '(Tensor other)',
        '(Number other)',
    ),
    "Tensor.pow": (
        '(Tensor exponent)',
        '(Number exponent)',
    ),
    "Tensor.pow_": (
        '(Tensor exponent)',
        '(Number exponent)',
    ),
    "Tensor.random_": (
        '(*, torch.Generator generator = None)',
        '(int from, int to, *, torch.Generator generator = None)',
        '(int to, *, torch.Generator generator = None)',
    ),
    "Tensor.remainder": (
        '(Tensor other)',
        '(Number other)',
    ),
    "Tensor.remainder_": (
        '(Tensor other)',
        '(Number other)',
    ),
    "Tensor.squeeze": (
        '()',
        '(int dim)',
        '(tuple of ints dim)',
    ),
    "Tensor.std": (
        '(tuple of ints dim, bool unbiased = True, bool keepdim = False)',
        '(tuple of ints dim = None, *, Number correction = None, bool keepdim = False)',
        '(bool unbiased = True)',
    ),
    "Tensor.sum": (
        '(*, torch.dtype dtype = None)',
        '(tuple of ints dim, bool keepdim = False, *, torch.dtype dtype = None)',
    ),
    "Tensor.to": (
        '(torch.device device = None, torch.dtype dtype = None, bool non_blocking = False, '
        'bool copy = False, *, torch.memory_format memory_format = None)',
        '(torch.dtype dtype, bool non_blocking = False, bool copy = False, *, '
        'torch.memory_format memory_format = None)',
        '(Tensor tensor, bool non_blocking = False, bool copy = False, *, '
        'torch.memory_format memory_format = None)',
    ),
    "Tensor.var": (
        '(tuple of ints dim, bool unbiased = True, bool keepdim = False)',
        '(tuple of ints dim = None, *, Number correction = None, bool keepdim = False)',
        '(bool unbiased = True)',
    ),
    "Tensor.view": (
        '(torch.dtype dtype)',
        '(tuple of ints size)',
    ),
    "Tensor.where": (
        '(Tensor condition, Tensor other)',
        '(Tensor condition, Number other)',
    ),
    "addmm": (
        '(Tensor input, Tensor mat1, Tensor mat2, *, Number beta = 1, Number alpha = 1, '
        'Tensor out = None)',
        '(Tensor input, Tensor mat1, Tensor mat2, torch.dtype out_dtype, *, Number beta = 1, '
        'Number alpha = 1, Tensor out = None)',
    ),
    "all": (
        '(Tensor input, *, Tensor out = None)',
        '(Tensor input, tuple of ints dim = None, bool keepdim = False, *, Tensor out = None)',
        '(Tensor input, int dim, bool keepdim = False, *, Tensor out = None)',
    ),
    "any": (
        '(Tensor input, *, Tensor out = None)',
        '(Tensor input, tuple of ints dim = None, bool keepdim = False, *, Tensor out = None)',
        '(Tensor input, int dim, bool keepdim = False, *, Tensor out = None)',
    ),
    "arange": (
        '(Number end, *, Tensor out = None, torch.dtype dtype = None, '
        'torch.layout layout = None, torch.device device = None, bool pin_memory = False, '
        'bool requires_grad = False)',
        '(Number start, Number end, *, torch.dtype dtype = None, torch.layout layout = None, '
        'torch.device device = None, bool pin_memory = False, bool requires_grad = False)',
        '(Number start, Number end, Number step = 1, *, Tensor out = None, '
        'torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
        'bool pin_memory = False, bool requires_grad = False)',
    ),
    "bernoulli": (
        '(Tensor input, *, torch.Generator generator = None, Tensor out = None)',
        '(Tensor input, float p, *, torch.Generator generator = None)',
    ),
    "bitwise_and": (
        '(Tensor input, Tensor other, *, Tensor out = None)',
        '(Number self, Tensor other)',
        '(Tensor input, Number other, *, Tensor out = None)',
    ),
    "bitwise_or": (
        '(Tensor input, Tensor other, *, Tensor out = None)',
        '(Number self, Tensor other)',
        '(Tensor input, Number other, *, Tensor out = None)',
    ),
    "bitwise_xor": (
        '(Tensor input, Tensor other, *, Tensor out = None)',
        '(Number self, Tensor other)',
        '(Tensor input, Number other, *, Tensor out = None)',
    ),
    "bmm": (
        '(Tensor input, Tensor mat2, *, Tensor out = None)',
        '(Tensor input, Tensor mat2, torch.dtype out_dtype, *, Tensor out = None)',
    ),
    "clamp": (
        '(Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)',
        '(Tensor input, Number min = None, Number max = None, *, Tensor out = None)',
    ),
    "clamp_max": (
        '(Tensor input, Tensor max, *, Tensor out = None)',
        '(Tensor input, Number max, *, Tensor out = None)',
    ),
    "clamp_min": (
        '(Tensor input, Tensor min, *, Tensor out = None)',
        '(Tensor input, Number min, *, Tensor out = None)',
    ),
    "clip": (
        '(Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)',
        '(Tensor input, Number min = None, Number max = None, *, Tensor out = None)',
    ),
    "div": (
        '(Tensor input, Tensor other, *, Tensor out = None)',
        '(Tensor input, Tensor other, *, str rounding_mode, Tensor out = None)',
        '(Tensor input, Number other, *, str rounding_mode)',
    ),
    "eq": (
        '(Tensor input, Tensor other, *, Tensor out = None)',
        '(Tensor input, Number other, *, Tensor out = None)',
    ),
    "eye": (
        '(int n, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, '
        'torch.device device = None, bool pin_memory = False, bool requires_grad = False)',
        '(int n, int m, *, Tensor out = None, torch.dtype dtype = None, '
        'torch.layout layout = None, torch.device device = None, bool pin_memory = False, '
        'bool requires_grad = False)',
    ),
    "floor_divide": (
        '(Tensor input, Tensor other, *, Tensor out = None)',
        '(Tensor input, Number other)',
    ),
    "ge": (
        '(Tensor input, Tensor other, *, Tensor out = None)',
        '(Tensor input, Number other, *, Tensor out = None)',
    ),
    "gt": (
        '(Tensor input, Tensor other, *, Tensor out = None)',
        '(Tensor input, Number other, *, Tensor out = None)',
    ),
    "histogram": (
        '(Tensor input, Tensor bins, *, Tensor weight = None, bool density = False, '
        'tuple of Tensors out = None)',
        '(Tensor input, int bins = 100, *, tuple of floats range = None, '
        'Tensor weight = None, bool density = False, tuple of Tensors out = None)',
    ),
    "le": (
        '(Tensor input, Tensor other, *, Tensor out = None)',
        '(Tensor input, Number other, *, Tensor out = None)',
    ),
    "linspace": (
        '(Tensor start, Tensor end, int steps, *, Tensor out = None, '
        'torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
        'bool pin_memory = False, bool requires_grad = False)',
        '(Number start, Tensor end, int steps, *, Tensor out = None, '
        'torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
        'bool pin_memory = False, bool requires_grad = False)',
        '(Tensor start, Number end, int steps, *, Tensor out = None, '
        'torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
        'bool pin_memory = False, bool requires_grad = False)',
        '(Number start, Number end, int steps, *, Tensor out = None, '
        'torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
        'bool pin_memory = False, bool requires_grad = False)',
    ),
    "logspace": (
        '(Tensor start, Tensor end, int steps, float base = 10.0, *, Tensor out = None, '
        'torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
        'bool pin_memory = False, bool requires_grad = False)',
        '(Number start, Tensor end, int steps, float base = 10.0, *, Tensor out = None, '
        'torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
        'bool pin_memory = False, bool requires_grad = False)',
        '(Tensor start, Number end, int steps, float base = 10.0, *, Tensor out = None, '
        'torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
        'bool pin_memory = False, bool requires_grad = False)',
        '(Number start, Number end, int steps, float base = 10.0, *, Tensor out = None, '
        'torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
        'bool pin_memory = False, bool requires_grad = False)',
    ),
    "lt": (
        '(Tensor input, Tensor other, *, Tensor out = None)',
        '(Tensor input, Number other, *, Tensor out = None)',
    ),
    "masked_fill": (
        '(Tensor input, Tensor mask, Tensor value)',
        '(Tensor input, Tensor mask, Number value)',
    ),
    "max": (
        '(Tensor input, *, Tensor out = None)',
        '(Tensor input, Tensor other, *, Tensor out = None)',
        '(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)',
    ),
    "mean": (
        '(Tensor input, *, torch.dtype dtype = None, Tensor out = None)',
        '(Tensor input, tuple of ints dim, bool keepdim = False, *, '
        'torch.dtype dtype = None, Tensor out = None)',
    ),
    "min": (
        '(Tensor input, *, Tensor out = None)',
        '(Tensor input, Tensor other, *, Tensor out = None)',
        '(Tensor input, int dim, bool keepdim = False, *, tuple of Tensors out = None)',
    ),
    "mm": (
        '(Tensor input, Tensor mat2, *, Tensor out = None)',
        '(Tensor input, Tensor mat2, torch.dtype out_dtype, *, Tensor out = None)',
    ),
    "narrow": (
        '(Tensor input, int dim, Tensor start, int length)',
        '(Tensor input, int dim, int start, int length)',
    ),
    "ne": (
        '(Tensor input, Tensor other, *, Tensor out = None)',
        '(Tensor input, Number other, *, Tensor out = None)',
    ),
    "normal": (
        '(Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)',
        '(Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)',
        '(float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)',
        '(float mean, float std, tuple of ints size, *, torch.Generator generator = None, '
        'Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, '
        'torch.device device = None, bool pin_memory = False, bool requires_grad = False)',
    ),
    "pow": (
        '(Tensor input, Tensor exponent, *, Tensor out = None)',
        '(Number self, Tensor exponent, *, Tensor out = None)',
        '(Tensor input, Number exponent, *, Tensor out = None)',
    ),
    "rand": (
        '(tuple of ints size, *, torch.Generator generator, Tensor out = None, '
        'torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
        'bool pin_memory = False, bool requires_grad = False)',
        '(tuple of ints size, *, Tensor out = None, torch.dtype dtype = None, '
        'torch.layout layout = None, torch.device device = None, bool pin_memory = False, '
        'bool requires_grad = False)',
    ),
    "rand_like": (
        '(Tensor input, *, torch.Generator generator, '
        'torch.memory_format memory_format = None, torch.dtype dtype = None, '
        'torch.layout layout = None, torch.device device = None, bool pin_memory = False, '
        'bool requires_grad = False)',
        '(Tensor input, *, torch.memory_format memory_format = None, '
        'torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
        'bool pin_memory = False, bool requires_grad = False)',
    ),
    "randint": (
        '(int high, tuple of ints size, *, torch.Generator generator, Tensor out = None, '
        'torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
        'bool pin_memory = False, bool requires_grad = False)',
        '(int high, tuple of ints size, *, Tensor out = None, torch.dtype dtype = None, '
        'torch.layout layout = None, torch.device device = None, bool pin_memory = False, '
        'bool requires_grad = False)',
        '(int low, int high, tuple of ints size, *, torch.Generator generator, '
        'Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, '
        'torch.device device = None, bool pin_memory = False, bool requires_grad = False)',
        '(int low, int high, tuple of ints size, *, Tensor out = None, '
        'torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
        'bool pin_memory = False, bool requires_grad = False)',
    ),
    "randint_like": (
        '(Tensor input, int low, int high, *, torch.Generator generator, '
        'torch.memory_format memory_format = None, torch.dtype dtype = None, '
        'torch.layout layout = None, torch.device device = None, bool pin_memory = False, '
        'bool requires_grad = False)',
        '(Tensor input, int low, int high, *, torch.memory_format memory_format = None, '
        'torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
        'bool pin_memory = False, bool requires_grad = False)',
        '(Tensor input, Tensor high, *, torch.Generator generator, '
        'torch.memory_format memory_format = None, torch.dtype dtype = None, '
        'torch.layout layout = None, torch.device device = None, bool pin_memory = False, '
        'bool requires_grad = False)',
        '(Tensor input, Tensor high, *, torch.memory_format memory_format = None, '
        'torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
        'bool pin_memory = False, bool requires_grad = False)',
        '(Tensor input, int high, *, torch.Generator generator, '
        'torch.memory_format memory_format = None, torch.dtype dtype = None, '
        'torch.layout layout = None, torch.device device = None, bool pin_memory = False, '
        'bool requires_grad = False)',
        '(Tensor input, int high, *, torch.memory_format memory_format = None, '
        'torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, '
        'bool pin_memory = False, bool requires_grad = False)',
    ),
    "randperm": (
        '(int n, *, torch.Generator generator, Tensor out = None, torch.dtype dtype = None, '
        'torch.layout layout = None, torch.device device = None, bool pin_memory = False, '
        'bool requires_grad = False)',
        '(int n, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, '
        'torch.device device = None, bool pin_memory = False, bool requires_grad = False)',
    ),
    "remainder": (
        '(Tensor input, Tensor other, *, Tensor out = None)',
        '(Number self, Tensor other)',
        '(Tensor input, Number other, *, Tensor out = None)',
    ),
    "rsub": (
        '(Tensor input, Tensor other, *, Number alpha = 1)',
        '(Tensor input, Number other, Number alpha = 1)',
    ),
    "squeeze": (
        '(Tensor input)',
        '(Tensor input, int dim)',
        '(Tensor input, tuple of ints dim)',
    ),
    "std": (
        '(Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False, *, '
        'Tensor out = None)',
        '(Tensor input, tuple of ints dim = None, *, Number correction = None, '
        'bool keepdim = False, Tensor out = None)',
        '(Tensor input, bool unbiased = True)',
    ),
    "sum": (
        '(Tensor input, *, torch.dtype dtype = None)',
        '(Tensor input, tuple of ints dim, bool keepdim = False, *, '
        'torch.dtype dtype = None, Tensor out = None)',
    ),
    "var": (
        '(Tensor input, tuple of ints dim, bool unbiased = True, bool keepdim = False, *, '
        'Tensor out = None)',
        '(Tensor input, tuple of ints dim = None, *, Number correction = None, '
        'bool keepdim = False, Tensor out = None)',
        '(Tensor input, bool unbiased = True)',
    ),
    "where": (
        '(Tensor condition)',
        '(Tensor condition, Tensor input, Tensor other, *, Tensor out = None)',
        '(Tensor condition, Number self, Tensor other)',
        '(Tensor condition, Tensor input, Number other)',
        '(Tensor condition, Number self, Number other)',
    ),
}
# (The same in PyTorch:)
SIGNATURES["randn"], SIGNATURES["randn_like"] = SIGNATURES["rand"], SIGNATURES["rand_like"]
