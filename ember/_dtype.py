"""dtype objects, the default dtype, and PyTorch's type-promotion rules."""

from __future__ import annotations

import builtins

from ember.backends import cpu as _backend

__all__ = [
    "dtype", "float16", "half", "bfloat16", "float32", "float", "float64", "double",
    "complex64", "cfloat", "complex128", "cdouble", "int8", "int16", "short", "int32", "int",
    "int64", "long", "uint8", "bool", "get_default_dtype", "set_default_dtype",
    "promote_types", "result_type", "can_cast", "finfo", "iinfo",
]

# Type categories, lowest first: torch never promotes to a lower one.
_BOOL, _INT, _FLOAT, _COMPLEX = range(4)


class dtype:
    """The element type of a tensor, printed as ``torch.<name>`` like PyTorch's."""

    __slots__ = ("_name", "itemsize", "is_floating_point", "is_complex", "is_signed",
                 "_category", "_np", "_legacy_name", "_cpp_name")

    def __init__(self, name, np_dtype, category, legacy_name, cpp_name):
        self._name = name
        self._np = _backend.dtype(np_dtype)
        self.itemsize = self._np.itemsize
        self._category = category
        self.is_floating_point = category == _FLOAT
        self.is_complex = category == _COMPLEX
        self.is_signed = name not in ("uint8", "bool")
        self._legacy_name = legacy_name  # as in "Float", PyTorch's ScalarType name
        self._cpp_name = cpp_name  # as in "float", the C++ type some of PyTorch's messages name

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):
        return self._name

    def to_real(self):
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self):
        if self._category < _FLOAT:
            raise RuntimeError(f"Unknown Complex ScalarType for {self._legacy_name}")
        return complex128 if self is float64 or self is complex128 else complex64


float16 = half = dtype("float16", _backend.float16, _FLOAT, "Half", "c10::Half")
bfloat16 = dtype("bfloat16", _backend.bfloat16, _FLOAT, "BFloat16", "c10::BFloat16")
float32 = float = dtype("float32", _backend.float32, _FLOAT, "Float", "float")
float64 = double = dtype("float64", _backend.float64, _FLOAT, "Double", "double")
complex64 = cfloat = dtype("complex64", _backend.complex64, _COMPLEX, "ComplexFloat",
                          "c10::complex<float>")
complex128 = cdouble = dtype("complex128", _backend.complex128, _COMPLEX, "ComplexDouble",
                            "c10::complex<double>")
uint8 = dtype("uint8", _backend.uint8, _INT, "Byte", "unsigned char")
int8 = dtype("int8", _backend.int8, _INT, "Char", "signed char")
int16 = short = dtype("int16", _backend.int16, _INT, "Short", "short int")
int32 = int = dtype("int32", _backend.int32, _INT, "Int", "int")
int64 = long = dtype("int64", _backend.int64, _INT, "Long", "long int")
bool = dtype("bool", _backend.bool_, _BOOL, "Bool", "bool")

ALL_DTYPES = (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64,
              complex64, complex128)
_FROM_NP = {d._np: d for d in ALL_DTYPES}


def _from_np(np_dtype) -> dtype:
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type {np_dtype}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
            "uint8, and bool."
        ) from None


def _promote_pair(a: dtype, b: dtype) -> dtype:
    if a is b:
        return a
    if a._category != b._category:
        high, low = (a, b) if a._category > b._category else (b, a)
        if high is complex64 and low is float64:
            return complex128
        return high
    if a._category == _INT:
        if {a, b} == {uint8, int8}:
            return int16
        if a is uint8 or b is uint8:
            return b if a is uint8 else a
    if {a, b} == {float16, bfloat16}:
        return float32
    return a if a.itemsize >= b.itemsize else b


_PROMOTION = {(a, b): _promote_pair(a, b) for a in ALL_DTYPES for b in ALL_DTYPES}


def _check_dtype(function, name, position, value):
    if not isinstance(value, dtype):
        raise TypeError(f"{function}(): argument '{name}' (position {position}) must be "
                        f"torch.dtype, not {type(value).__name__}")


def promote_types(type1: dtype, type2: dtype) -> dtype:
    """The smallest dtype that both ``type1`` and ``type2`` convert to without losing kind."""
    try:
        return _PROMOTION[type1, type2]
    except (KeyError, TypeError):
        _check_dtype("promote_types", "type1", 1, type1)
        _check_dtype("promote_types", "type2", 2, type2)
        raise


_default_dtype = float32
_default_complex_dtype = complex64


def get_default_dtype() -> dtype:
    return _default_dtype


def set_default_dtype(d: dtype) -> None:
    global _default_dtype, _default_complex_dtype
    if d not in (float16, bfloat16, float32, float64):
        raise TypeError(
            "only floating-point types are supported as the default type"
        )
    _default_dtype = d
    _default_complex_dtype = complex128 if d is float64 else complex64


def _scalar_dtype(value) -> dtype:
    """The dtype a Python number takes when it meets a tensor (a 'wrapped number')."""
    cls = value.__class__
    if cls is builtins.float:
        return _default_dtype
    if cls is builtins.int:
        return int64
    if cls is builtins.bool:
        return bool
    if cls is builtins.complex:
        return _default_complex_dtype
    # Subclasses of the Python types (np.float64, np.complex128) count as those types;
    # other NumPy integers as ints, and every other NumPy scalar (np.bool_, np.float32,
    # np.complex64) as a float, as PyTorch reads them.
    if isinstance(value, builtins.bool):
        return bool
    if isinstance(value, builtins.int | _backend.integer):
        return int64
    if isinstance(value, builtins.float | _backend.generic) and not isinstance(
            value, builtins.complex):
        return _default_dtype
    if isinstance(value, builtins.complex):
        return _default_complex_dtype
    raise TypeError(f"expected a number, got {type(value).__name__}")


def _combine_categories(higher, lower):
    """Join a higher-priority result with a lower-priority one, as PyTorch's result_type."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        return higher.to_complex() if higher.is_floating_point else lower
    if higher.is_floating_point:
        return higher
    if higher is bool or lower.is_floating_point:
        return _PROMOTION[higher, lower]
    return higher


def _result_dtype(*operands) -> dtype:
    """torch.result_type over tensors and Python numbers: dimensioned tensors outrank
    zero-dim tensors, which outrank Python numbers, unless a lower tier is of a higher
    category (bool < int < float < complex)."""
    dim_result = zero_result = scalar_result = None
    for x in operands:
        d = getattr(x, "_dtype", None)
        if d is None:
            d = _scalar_dtype(x)
            scalar_result = d if scalar_result is None else _PROMOTION[scalar_result, d]
        elif x._data.ndim:
            dim_result = d if dim_result is None else _PROMOTION[dim_result, d]
        else:
            zero_result = d if zero_result is None else _PROMOTION[zero_result, d]
    return _combine_categories(dim_result, _combine_categories(zero_result, scalar_result))


def result_type(tensor1, tensor2) -> dtype:
    """The dtype an arithmetic op on ``tensor1`` and ``tensor2`` returns."""
    return _result_dtype(tensor1, tensor2)


def can_cast(from_: dtype, to: dtype) -> builtins.bool:
    """Whether ``from_`` may be cast to ``to`` under PyTorch's casting rules: never to a
    lower category (complex > float > integral > bool)."""
    _check_dtype("can_cast", "from_", 1, from_)
    _check_dtype("can_cast", "to", 2, to)
    return from_._category <= to._category


def _format_info(value):
    return f"{value:.6g}"


class finfo:
    """Machine limits of a floating point dtype."""

    def __init__(self, type: dtype | None = None):
        type = _default_dtype if type is None else type
        _check_dtype("finfo", "type", 1, type)
        if not (type.is_floating_point or type.is_complex):
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        info = _backend.finfo(type.to_real()._np)
        self.bits = info.bits
        self.eps = builtins.float(info.eps)
        self.max = builtins.float(info.max)
        self.min = builtins.float(info.min)
        self.tiny = self.smallest_normal = builtins.float(info.smallest_normal)
        # A power of ten, as PyTorch computes it, not NumPy's value rounded to the dtype.
        self.resolution = 10.0 ** -info.precision
        self.dtype = type.to_real()._name

    def __repr__(self):
        fields = ("resolution", "min", "max", "eps", "smallest_normal", "tiny")
        body = ", ".join(f"{f}={_format_info(getattr(self, f))}" for f in fields)
        return f"finfo({body}, dtype={self.dtype})"


class iinfo:
    """Machine limits of an integer dtype."""

    def __init__(self, type: dtype):
        _check_dtype("iinfo", "type", 1, type)
        if type is bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type._category != _INT:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo "
                            "to handle 'torch.iinfo'")
        info = _backend.iinfo(type._np)
        self.bits = info.bits
        self.max = builtins.int(info.max)
        self.min = builtins.int(info.min)
        self.dtype = type._name

    def __repr__(self):
        return f"iinfo(min={self.min:.6g}, max={self.max:.6g}, dtype={self.dtype})"
