"""How tensors print: ``repr(tensor)`` character for character as PyTorch, and the print options.

A tensor prints as ``tensor(<body>, <suffix>, ...)``. The body is a nested bracket layout of
element strings that all share one width, chosen by a formatter that looks at every value
that will be shown (after summarization); floating values print in one of three modes:
integral (``1.``), fixed (``1.0000``) or scientific (``1.0000e-05``).
"""

from __future__ import annotations

import math

from ember._dtype import bool as _bool
from ember._dtype import complex64, complex128, float64, get_default_dtype, int64

__all__ = ["set_printoptions", "get_printoptions"]

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}

# The live options, in the key order get_printoptions reports them.
_options = {**_PROFILES["default"], "sci_mode": None}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set the options that control how tensors print.

    Args:
        precision: digits after the decimal point for floating values (default 4).
        threshold: element count above which a tensor is summarized with ``...`` (default 1000).
        edgeitems: items kept at each end of each dimension when summarizing (default 3).
        linewidth: characters per line before a 1-D row wraps (default 80).
        profile: ``'default'``, ``'short'`` or ``'full'``, applied first; other arguments
            override it.
        sci_mode: force scientific notation on (True) or off (False); None chooses from the
            values. Unlike the other options it is reset to None whenever it is not given.

    Example::

        >>> set_printoptions(precision=2)
        >>> get_printoptions()["precision"]
        2
        >>> set_printoptions(profile="default")
    """
    if profile in _PROFILES:
        _options.update(_PROFILES[profile])
    given = {
        "precision": precision,
        "threshold": threshold,
        "edgeitems": edgeitems,
        "linewidth": linewidth,
    }
    _options.update((name, value) for name, value in given.items() if value is not None)
    _options["sci_mode"] = sci_mode


def get_printoptions() -> dict:
    """The current print options, as keyword arguments that ``set_printoptions`` accepts."""
    return dict(_options)


class _Formatter:
    """Pads every element of one real-valued tensor to a common width, in one notation."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if not floating:
            self.width = max([1, *(len(str(value)) for value in values)])
            return
        # Zeros and non-finite values print the same in every mode, so only the others
        # decide the mode and the width.
        shown = [value for value in values if value != 0 and math.isfinite(value)]
        if not shown:
            return
        self.int_mode = all(value.is_integer() for value in shown)
        if _options["sci_mode"] is None:
            largest = max(abs(value) for value in shown)
            smallest = min(abs(value) for value in shown)
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = _options["sci_mode"]
        precision = _options["precision"]
        if self.sci_mode:
            widths = (len(f"{value:.{precision}e}") for value in shown)
        elif self.int_mode:
            widths = (len(f"{value:.0f}") + 1 for value in shown)  # + 1 for the trailing '.'
        else:
            widths = (len(f"{value:.{precision}f}") for value in shown)
        self.width = max(self.width, *widths)

    def format(self, value) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:.{_options['precision']}e}"
        elif self.int_mode:
            # The '.' marks a whole number as floating; nan and inf need no marking.
            text = f"{value:.0f}" + ("." if math.isfinite(value) else "")
        else:
            text = f"{value:.{_options['precision']}f}"
        return text.rjust(self.width)


def _element_formatter(values, is_complex, floating):
    """A function that formats one element, and the width that one element takes in a row
    (its comma and space included), both fixed by ``values``, the elements to be shown."""
    if not is_complex:
        formatter = _Formatter(values, floating)
        return formatter.format, formatter.width + 2
    real = _Formatter([value.real for value in values], True)
    imag = _Formatter([value.imag for value in values], True)

    def format_complex(value):
        # The imaginary part loses its padding and carries its own sign; '+' joins it
        # otherwise (including for nan).
        imag_text = imag.format(value.imag).lstrip() + "j"
        sign = "" if imag_text[0] in "+-" else "+"
        return real.format(value.real) + sign + imag_text

    return format_complex, real.width + imag.width + 3  # ", " and the 'j'


def _shown_values(array, summarize, edgeitems):
    """``array`` as nested lists of Python numbers, with ``...`` standing for each run of
    rows or elements that summarization leaves out. ``tolist`` gives each element's exact
    value, the half types' included."""
    if not summarize or array.ndim == 0:
        return array.tolist()
    length = array.shape[0]
    if length > 2 * edgeitems:
        # Slice the tail by position: array[-0:] would be the whole array.
        head, tail = array[:edgeitems], array[length - edgeitems :]
        if array.ndim == 1:
            return [*head.tolist(), ..., *tail.tolist()]
        rows = [*head, ..., *tail]
    elif array.ndim == 1:
        return array.tolist()
    else:
        rows = list(array)
    return [... if row is ... else _shown_values(row, summarize, edgeitems) for row in rows]


def _flatten(nested, ndim):
    """The numbers in ``nested``, in order, without the ``...`` markers."""
    if ndim == 0:
        return [nested]
    if ndim == 1:
        return [item for item in nested if item is not ...]
    return [item for row in nested if row is not ... for item in _flatten(row, ndim - 1)]


def _layout(nested, ndim, indent, format_element, element_width):
    """The bracketed text of ``nested``, whose first line starts at column ``indent``."""
    if ndim == 0:
        return format_element(nested)
    if ndim == 1:
        per_line = max(1, math.floor((_options["linewidth"] - indent) / element_width))
        # A lone '...' (edgeitems=0) hugs its brackets; between elements it is spaced like
        # a value.
        gap = "..." if len(nested) == 1 and nested[0] is ... else " ..."
        texts = [gap if item is ... else format_element(item) for item in nested]
        lines = [", ".join(texts[i : i + per_line]) for i in range(0, len(texts), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = [
        "..." if row is ... else _layout(row, ndim - 1, indent + 1, format_element, element_width)
        for row in nested
    ]
    return "[" + ("," + "\n" * (ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _tensor_body(t, indent):
    array = t._data
    summarize = array.size > _options["threshold"]
    nested = _shown_values(array, summarize, _options["edgeitems"])
    values = _flatten(nested, array.ndim)
    format_element, element_width = _element_formatter(
        values, t._dtype.is_complex, t._dtype.is_floating_point
    )
    return _layout(nested, array.ndim, indent, format_element, element_width)


def _add_suffixes(text, suffixes, indent):
    """Append ``, suffix`` for each suffix, wrapping to a new line at ``indent`` when the
    current line would pass the line width, then the closing parenthesis."""
    parts = [text]
    # PyTorch measures the last line two characters long; kept so wrapping agrees.
    line_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_length + len(suffix) + 2 > _options["linewidth"]:
            parts.append(",\n" + " " * indent + suffix)
            line_length = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            line_length += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t) -> str:
    """``repr(t)`` and ``str(t)`` of an ember tensor, as PyTorch prints the same tensor."""
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    if t._device.type != "cpu":
        suffixes.append(f"device='{t._device}'")
    dtype = t._dtype
    default = get_default_dtype()
    array = t._data
    if array.size == 0:
        body = "[]"
        if array.ndim != 1:
            suffixes.append(f"size={tuple(array.shape)}")
        # No element shows whether an empty tensor is integral, so only the default
        # floating dtype goes without saying.
        if dtype is not default:
            suffixes.append(f"dtype={dtype!r}")
    else:
        body = _tensor_body(t, indent)
        if not _options["edgeitems"]:
            suffixes.append(f"size={tuple(array.shape)}")
        default_complex = complex128 if default is float64 else complex64
        if dtype not in (default, default_complex, int64, _bool):
            suffixes.append(f"dtype={dtype!r}")
    if t.grad_fn is not None:
        # the node's class name, which drops the namespace of nodes such as CopySlices
        suffixes.append(f"grad_fn=<{t.grad_fn.name().rpartition('::')[2]}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)


def _element_strings(t) -> list[str]:
    """The elements of the 1-D tensor ``t`` as a TypedStorage repr lists them: each is the
    ``str`` of the Python number it holds (``1.5``, ``2.0``, ``True``, ``(1+2j)``)."""
    return [str(value) for value in t._data.tolist()]
