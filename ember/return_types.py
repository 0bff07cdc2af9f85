"""The named tuples that ops such as ``max(dim=...)`` return, printed as PyTorch's."""

from __future__ import annotations


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


# Each op's named tuple and its fields; the same op given out= returns ``name + "_out"``,
# named apart as in PyTorch.
_FIELDS = {
    "aminmax": ('min', 'max'),
    "cummax": ('values', 'indices'),
    "cummin": ('values', 'indices'),
    "frexp": ('mantissa', 'exponent'),
    "geqrf": ('a', 'tau'),
    "histogram": ('hist', 'bin_edges'),
    "histogramdd": ('hist', 'bin_edges'),
    "kthvalue": ('values', 'indices'),
    "linalg_cholesky_ex": ('L', 'info'),
    "linalg_eig": ('eigenvalues', 'eigenvectors'),
    "linalg_eigh": ('eigenvalues', 'eigenvectors'),
    "linalg_inv_ex": ('inverse', 'info'),
    "linalg_ldl_factor": ('LD', 'pivots'),
    "linalg_ldl_factor_ex": ('LD', 'pivots', 'info'),
    "linalg_lstsq": ('solution', 'residuals', 'rank', 'singular_values'),
    "linalg_lu": ('P', 'L', 'U'),
    "linalg_lu_factor": ('LU', 'pivots'),
    "linalg_lu_factor_ex": ('LU', 'pivots', 'info'),
    "linalg_qr": ('Q', 'R'),
    "linalg_slogdet": ('sign', 'logabsdet'),
    "linalg_solve_ex": ('result', 'info'),
    "linalg_svd": ('U', 'S', 'Vh'),
    "lu_unpack": ('P', 'L', 'U'),
    "max": ('values', 'indices'),
    "median": ('values', 'indices'),
    "min": ('values', 'indices'),
    "mode": ('values', 'indices'),
    "nanmedian": ('values', 'indices'),
    "qr": ('Q', 'R'),
    "slogdet": ('sign', 'logabsdet'),
    "sort": ('values', 'indices'),
    "svd": ('U', 'S', 'V'),
    "topk": ('values', 'indices'),
    "triangular_solve": ('solution', 'cloned_coefficient'),
}

for _name, _fields in _FIELDS.items():
    globals()[_name] = _return_type(_name, _fields)
    globals()[_name + "_out"] = _return_type(_name + "_out", _fields)

__all__ = [*_FIELDS, *(name + "_out" for name in _FIELDS)]
