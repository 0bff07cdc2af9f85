"""The named tuples that ops such as ``max(dim=...)`` return, printed as PyTorch's."""

from __future__ import annotations

__all__ = ["max", "min", "max_out", "min_out", "sort", "topk", "kthvalue", "median", "mode",
           "aminmax"]


def _return_type(name: str, fields: tuple[str, ...]):
    def __new__(cls, values):
        values = tuple(values)
        if len(values) != len(fields):
            raise TypeError(f"torch.return_types.{name} takes a {len(fields)}-sequence "
                            f"({len(values)}-sequence given)")
        return tuple.__new__(cls, values)

    def __repr__(self):
        body = ",\n".join(f"{field}={value!r}" for field, value in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    def __reduce__(self):
        return type(self), (tuple(self),)

    namespace = {"__slots__": (), "__new__": __new__, "__repr__": __repr__,
                 "__reduce__": __reduce__, "n_fields": len(fields),
                 "n_sequence_fields": len(fields), "_fields": fields,
                 "__module__": "torch.return_types"}
    for index, field in enumerate(fields):
        namespace[field] = property(lambda self, index=index: self[index])
    return type(name, (tuple,), namespace)


max = _return_type("max", ("values", "indices"))
min = _return_type("min", ("values", "indices"))
# What the same ops return when given out=, named apart as in PyTorch.
max_out = _return_type("max_out", ("values", "indices"))
min_out = _return_type("min_out", ("values", "indices"))
sort = _return_type("sort", ("values", "indices"))
topk = _return_type("topk", ("values", "indices"))
kthvalue = _return_type("kthvalue", ("values", "indices"))
median = _return_type("median", ("values", "indices"))
mode = _return_type("mode", ("values", "indices"))
aminmax = _return_type("aminmax", ("min", "max"))
