"""weight_norm, spectral_norm and orthogonal as parametrizations (see Note [Parametrized
modules] in parametrize.py)."""

from __future__ import annotations

from enum import Enum, auto

import ember
import ember.nn.functional as F
from ember._tensor import Tensor
from ember.nn.modules.module import Module
from ember.nn.utils import parametrize
from ember.nn.utils.spectral_norm import _check_power_iterations, _default_dim, _random_unit_vectors
from ember.nn.utils.weight_norm import _norm_except_dim, _weight_norm

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


def _is_orthogonal(Q: Tensor) -> bool:
    """Whether the columns of ``Q`` are orthonormal, to a tolerance that grows with n."""
    n, k = Q.size(-2), Q.size(-1)
    identity = ember.eye(k, dtype=Q.dtype, device=Q.device)
    return ember.allclose(Q.mH @ Q, identity, atol=10.0 * n * ember.finfo(Q.dtype).eps)


def _make_orthogonal(A: Tensor) -> Tensor:
    """The Q of ``A = QR`` with R's diagonal made positive (unique for full-rank ``A``)."""
    Q, R = ember.linalg.qr(A)
    return Q * R.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


def _householder_product(reflectors: Tensor, tau: Tensor) -> Tensor:
    """The first k columns of ``H_1 ... H_k``, ``H_i = I - tau_i v_i v_i^H``: ``v_i`` is
    column i of ``reflectors`` (..., n, k) below the diagonal, 1 on it, 0 above; as
    ``torch.linalg.householder_product``, differentiable through ember's ops."""
    n, k = reflectors.size(-2), reflectors.size(-1)
    unit = ember.eye(n, k, dtype=reflectors.dtype, device=reflectors.device)
    vectors = reflectors.tril(-1) + unit
    Q = unit.expand(*reflectors.shape[:-2], n, k)
    # H_1 (H_2 (... (H_k I))): one rank-one update per reflector, the last first
    for i in reversed(range(k)):
        v = vectors[..., i:i + 1]
        Q = Q - (tau[..., i:i + 1].unsqueeze(-1) * v) @ (v.mH @ Q)
    return Q


def _geqrf(A: Tensor) -> tuple[Tensor, Tensor]:
    """LAPACK's QR by Householder reflections of a tall ``A`` (..., n, k): R on and above
    the diagonal, the reflectors below it, and their ``tau`` (0 where a column needs no
    reflection), as ``torch.geqrf``."""
    A = A.clone()
    n, k = A.size(-2), A.size(-1)
    taus = []
    for j in range(min(n, k)):
        alpha = A[..., j, j]
        below = A[..., j + 1:, j]
        below_norm = ember.linalg.vector_norm(below, dim=-1)
        reflect = below_norm != 0
        beta = -ember.copysign(ember.hypot(alpha, below_norm), alpha)
        tau = ember.where(reflect, (beta - alpha) / beta, ember.zeros_like(alpha))
        scale = ember.where(reflect, 1 / (alpha - beta), ember.ones_like(alpha))
        A[..., j + 1:, j] = below * scale.unsqueeze(-1)
        A[..., j, j] = ember.where(reflect, beta, alpha)
        v = ember.cat([ember.ones_like(alpha).unsqueeze(-1), A[..., j + 1:, j]], dim=-1)
        rest = A[..., j:, j + 1:]
        A[..., j:, j + 1:] = rest - (tau.unsqueeze(-1) * v).unsqueeze(-1) * (
            v.unsqueeze(-2) @ rest)
        taus.append(tau)
    return A, ember.stack(taus, dim=-1)


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    """Maps an unconstrained matrix (or batch) to one with orthonormal columns or rows.

    With ``use_trivialization`` the result is ``base @ map(X)``: ``base`` (a buffer) is the
    orthogonal matrix last assigned, and X starts where the map gives the identity.
    """

    base: Tensor

    def __init__(self, weight: Tensor, orthogonal_map: _OrthMaps, *,
                 use_trivialization: bool = True) -> None:
        super().__init__()
        # complex reflectors cannot carry the tau that would make their product unitary
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex "
                             "tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:  # work on the tall matrix
            X = X.mT
            n, k = k, n
        if self.orthogonal_map == _OrthMaps.householder:
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            # the diagonal of X holds fixed signs (+-1): no gradient flows into it
            Q = _householder_product(A, tau) * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        else:
            # a skew-symmetric n x n matrix from the lower triangle of X, padded with zeros
            X = X.tril()
            if n != k:
                X = ember.cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = ember.matrix_exp(A)
            else:  # the Cayley map (I + A/2)(I - A/2)^-1
                identity = ember.eye(n, dtype=A.dtype, device=A.device)
                Q = ember.linalg.solve(ember.add(identity, A, alpha=-0.5),
                                       ember.add(identity, A, alpha=0.5))
            if n != k:
                Q = Q[..., :k]
        if hasattr(self, "base"):
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q: Tensor) -> Tensor:
        if Q.shape != self.shape:
            raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                             f"Got a tensor of shape {Q.shape}.")
        with ember.no_grad():
            return self._original_for(Q)

    def _original_for(self, Q: Tensor) -> Tensor:
        Q_init = Q
        n, k = Q.size(-2), Q.size(-1)
        transpose = n < k
        if transpose:
            Q = Q.mT
            n, k = k, n
        if not hasattr(self, "base"):
            if self.orthogonal_map != _OrthMaps.householder:
                # no known inverse of the Cayley map or the exponential on rectangular Q
                raise NotImplementedError("It is not possible to assign to the matrix "
                                          "exponential or the Cayley parametrizations when "
                                          "use_trivialization=False.")
            # the reflectors of Q's QR; the diagonal keeps the signs that make R's positive
            A, tau = _geqrf(Q)
            signs = A.diagonal(dim1=-2, dim2=-1).sign()
            # a column LAPACK left unreflected (tau == 0) gets a reflection back from the
            # forward's tau = 2 / (1 + |v|^2): its sign flips to compensate
            A.diagonal(dim1=-2, dim2=-1).copy_(ember.where(tau == 0.0, -signs, signs))
            return A.mT if transpose else A
        if n == k:
            Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
        else:
            # completed into a square orthogonal matrix by random columns
            N = ember.randn(*(Q.size()[:-2] + (n, n - k)), dtype=Q.dtype, device=Q.device)
            Q = _make_orthogonal(ember.cat([Q, N], dim=-1))
        self.base = Q
        # -I: the Householder map sends it to I (its diagonal gives the signs)
        neg_identity = ember.zeros_like(Q_init)
        neg_identity.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
        return neg_identity


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Constrains the matrix (or batch of matrices) ``module.<name>`` to have orthonormal
    columns or rows, whichever are fewer.

    Args:
        module: the module holding the tensor
        name: the tensor's name
        orthogonal_map: ``"matrix_exp"``, ``"cayley"`` or ``"householder"``; default the
            first for square or complex matrices, the last otherwise
        use_trivialization: keep the last assigned orthogonal matrix as ``base`` and
            parametrize around it (what allows assigning to every map)

    Example::

        >>> m = orthogonal(ember.nn.Linear(20, 40))
        >>> Q = m.weight
        >>> bool(ember.dist(Q.T @ Q, ember.eye(20)) < 1e-4)
        True
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of "
                         f"{weight.ndim} dimensions.")
    if orthogonal_map is None:
        square = weight.size(-2) == weight.size(-1)
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", '
                         f'"householder". Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


class _WeightNorm(Module):
    """``(g, v) -> g * v / ||v||``, the norm over every dimension but ``dim``."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return _norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int = 0) -> Module:
    """Splits ``module.<name>`` into a magnitude ``original0`` and a direction
    ``original1`` (under ``module.parametrizations.<name>``), recombined on each access.
    State dicts of the older :func:`ember.nn.utils.weight_norm` (``<name>_g``,
    ``<name>_v``) load into it.

    Args:
        module: the module holding the parameter
        name: the parameter's name
        dim: the dimension that keeps one norm per entry (``None``: one norm overall)

    Example::

        >>> m = weight_norm(ember.nn.Linear(20, 40), name="weight")
        >>> m.parametrizations.weight.original0.size()
        torch.Size([40, 1])
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def load_old_names(state_dict, prefix, local_metadata, strict, missing_keys,
                       unexpected_keys, error_msgs) -> None:
        g_key = f"{prefix}{name}_g"
        v_key = f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(load_old_names)
    return module


class _SpectralNorm(Module):
    """``W -> W / sigma(W)``, ``sigma`` estimated by power iteration on the buffers ``_u``
    and ``_v`` (updated in training mode only); a vector is simply normalized."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        _check_power_iterations(n_power_iterations)
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            u, v = _random_unit_vectors(weight_mat, self.eps)
            self.register_buffer("_u", u)
            self.register_buffer("_v", v)
            # start from reasonable vectors
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        # in place, as in SpectralNorm.compute_weight (the older interface)
        with ember.no_grad():
            for _ in range(n_power_iterations):
                self._u = F.normalize(ember.mv(weight_mat, self._v), dim=0, eps=self.eps,
                                      out=self._u)
                self._v = F.normalize(ember.mv(weight_mat.mH, self._u), dim=0, eps=self.eps,
                                      out=self._v)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        # copies, as in SpectralNorm.compute_weight: the graph must not see later updates
        u = self._u.clone()
        v = self._v.clone()
        sigma = ember.vdot(u, ember.mv(weight_mat, v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Divides ``module.<name>`` by its spectral norm (its largest singular value as a
    matrix, ``dim`` first), estimated by power iteration in training mode.

    Args:
        module: the module holding the tensor
        name: the tensor's name
        n_power_iterations: power iterations per access in training mode
        eps: added to norms for numerical stability
        dim: the output dimension (default 0; 1 for transposed convolutions)

    Example::

        >>> m = spectral_norm(ember.nn.Linear(20, 40))
        >>> m.parametrizations.weight.original.size()
        torch.Size([40, 20])
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = _default_dim(module)
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
