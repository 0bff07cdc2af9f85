"""L-BFGS: a quasi-Newton method from a short history of steps and gradient changes,
with an optional strong-Wolfe line search.

Scalars such as the directional derivative stay one-element tensors where torch keeps
them so, because arithmetic with them rounds to the parameters' dtype: the iterates then
agree with torch's to the last bits."""

from __future__ import annotations

import ember
from ember.autograd import grad_mode
from ember.optim.optimizer import Optimizer, _check_options, _to_scalar

__all__ = ["LBFGS"]


def _cubic_minimum(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimizer, within ``bounds`` (default: between the points), of the cubic
    through two points with values ``f`` and slopes ``g``; the midpoint of the bounds when
    the cubic has no minimum."""
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = d2_square.sqrt()
    if x1 <= x2:
        minimum = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        minimum = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(minimum, low), high)


class _Point:
    """A point of the line search: step ``t``, loss, flat gradient and slope along d."""

    __slots__ = ("t", "loss", "grad", "slope")

    def __init__(self, t, loss, grad, slope):
        self.t, self.loss, self.grad, self.slope = t, loss, grad, slope


def _strong_wolfe(evaluate, t, d, loss, grad, slope, c1=1e-4, c2=0.9,
                  tolerance_change=1e-9, max_ls=25):
    """A step ``t`` along ``d`` satisfying the strong Wolfe conditions (sufficient
    decrease, small slope): bracket a minimum by growing the step, then shrink the bracket
    by cubic interpolation. Returns (loss, gradient, t, evaluations)."""
    d_norm = d.abs().max()
    start = _Point(0, loss, grad.clone(), slope)

    def probe(t):
        new_loss, new_grad = evaluate(t)
        return _Point(t, new_loss, new_grad, new_grad.dot(d))

    def sufficient_decrease(point):
        return point.loss <= loss + c1 * point.t * slope

    def small_slope(point):
        return abs(point.slope) <= -c2 * slope

    previous, current = start, probe(t)
    evaluations, iteration = 1, 0
    bracket, done = None, False
    while iteration < max_ls:
        if not sufficient_decrease(current) or (iteration > 1
                                                and current.loss >= previous.loss):
            bracket = [previous, _Point(current.t, current.loss, current.grad.clone(),
                                        current.slope)]
            break
        if small_slope(current):
            bracket, done = [current], True
            break
        if current.slope >= 0:
            bracket = [previous, _Point(current.t, current.loss, current.grad.clone(),
                                        current.slope)]
            break
        low, high = current.t + 0.01 * (current.t - previous.t), current.t * 10
        next_t = _cubic_minimum(previous.t, previous.loss, previous.slope, current.t,
                                current.loss, current.slope, bounds=(low, high))
        previous = _Point(current.t, current.loss, current.grad.clone(), current.slope)
        current = probe(next_t)
        evaluations += 1
        iteration += 1
    if iteration == max_ls:
        bracket = [_Point(0, loss, grad, None), current]

    # zoom: shrink [low, high] around a point satisfying both conditions
    insufficient_progress = False
    low_index, high_index = (0, 1) if bracket[0].loss <= bracket[-1].loss else (1, 0)
    while not done and iteration < max_ls:
        lower, upper = bracket
        if abs(upper.t - lower.t) * d_norm < tolerance_change:
            break
        t = _cubic_minimum(lower.t, lower.loss, lower.slope, upper.t, upper.loss,
                           upper.slope)
        top, bottom = max(lower.t, upper.t), min(lower.t, upper.t)
        margin = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < margin:
            # too close to an end: move inward unless the last step was already slow
            if insufficient_progress or t >= top or t <= bottom:
                t = top - margin if abs(t - top) < abs(t - bottom) else bottom + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        point = probe(t)
        evaluations += 1
        iteration += 1
        if not sufficient_decrease(point) or point.loss >= bracket[low_index].loss:
            bracket[high_index] = _Point(point.t, point.loss, point.grad.clone(), point.slope)
            low_index, high_index = (0, 1) if bracket[0].loss <= bracket[1].loss else (1, 0)
        else:
            if small_slope(point):
                done = True
            elif point.slope * (bracket[high_index].t - bracket[low_index].t) >= 0:
                bracket[high_index] = bracket[low_index]
            bracket[low_index] = _Point(point.t, point.loss, point.grad.clone(), point.slope)
    best = bracket[low_index]
    return best.loss, best.grad, best.t, evaluations


class LBFGS(Optimizer):
    """L-BFGS, as ``torch.optim.LBFGS``: one parameter group; ``step(closure)`` runs up to
    ``max_iter`` iterations, re-evaluating the loss through ``closure``.

    Args:
        lr: step length (default 1)
        max_iter: iterations per ``step`` (default 20)
        max_eval: loss evaluations per ``step`` (default ``max_iter * 5 // 4``)
        tolerance_grad: stop when the largest gradient entry is this small
        tolerance_change: stop when the loss or the parameters change this little
        history_size: how many past steps approximate the inverse Hessian
        line_search_fn: None (fixed step) or ``"strong_wolfe"``
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7,
                 tolerance_change=1e-9, history_size=100, line_search_fn=None) -> None:
        _check_options(lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                    "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
                    "history_size": history_size, "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _real_params(self):
        return [ember.view_as_real(p) if p.is_complex() else p for p in self._params]

    def _flat_grad(self):
        """Every parameter's gradient (zeros where None) in one vector."""
        views = []
        for p in self._params:
            grad = ember.zeros(p.numel(), dtype=p.dtype) if p.grad is None else p.grad.view(-1)
            views.append(ember.view_as_real(grad).view(-1) if grad.is_complex() else grad)
        return ember.cat(views, 0)

    def _add_step(self, step_size, direction) -> None:
        offset = 0
        for p in self._real_params():
            p.add_(direction[offset:offset + p.numel()].view_as(p), alpha=step_size)
            offset += p.numel()

    def _evaluate_along(self, closure, start, t, direction):
        """Loss and flat gradient at ``start + t * direction``; the parameters are put
        back to ``start`` afterwards."""
        self._add_step(t, direction)
        loss = float(closure())
        flat_grad = self._flat_grad()
        for p, saved in zip(self._params, start):
            p.copy_(saved)
        return loss, flat_grad

    def step(self, closure):
        """Run up to ``max_iter`` L-BFGS iterations; returns the loss before them."""
        with grad_mode.no_grad():
            return self._iterate(closure)

    def _iterate(self, closure):
        def evaluate():
            with grad_mode.enable_grad():
                return closure()
        group = self.param_groups[0]
        lr = _to_scalar(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        original_loss = evaluate()
        loss = float(original_loss)
        evaluations = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if flat_grad.abs().max() <= tolerance_grad:
            return original_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        h_diag = state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")
        iteration = 0
        while iteration < max_iter:
            iteration += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = flat_grad.neg()
                old_dirs, old_stps, ro, h_diag = [], [], [], 1
            else:
                d, h_diag = self._direction(state, flat_grad, prev_flat_grad, d, t, old_dirs,
                                            old_stps, ro, h_diag, group["history_size"])
            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.clone()
            else:
                prev_flat_grad.copy_(flat_grad)
            prev_loss = loss
            # the first step is scaled to the gradient: the history says nothing yet
            t = min(1.0, 1.0 / flat_grad.abs().sum()) * lr if state["n_iter"] == 1 else lr
            slope = flat_grad.dot(d)
            if slope > -tolerance_change:
                break

            if group["line_search_fn"] is not None:
                if group["line_search_fn"] != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                start = [p.clone() for p in self._params]
                loss, flat_grad, t, spent = _strong_wolfe(
                    lambda step, start=start, d=d: self._evaluate_along(evaluate, start, step, d),
                    t, d, loss,
                    flat_grad, slope, max_ls=max_eval - evaluations)
                self._add_step(t, d)
                optimal = flat_grad.abs().max() <= tolerance_grad
            else:
                self._add_step(t, d)
                spent, optimal = 0, False
                if iteration != max_iter:
                    loss = float(evaluate())
                    flat_grad = self._flat_grad()
                    optimal = flat_grad.abs().max() <= tolerance_grad
                    spent = 1
            evaluations += spent
            state["func_evals"] += spent

            if (iteration == max_iter or evaluations >= max_eval or optimal
                    or d.mul(t).abs().max() <= tolerance_change
                    or abs(loss - prev_loss) < tolerance_change):
                break

        state.update({"d": d, "t": t, "old_dirs": old_dirs, "old_stps": old_stps, "ro": ro,
                      "H_diag": h_diag, "prev_flat_grad": prev_flat_grad,
                      "prev_loss": prev_loss})
        return original_loss

    @staticmethod
    def _direction(state, flat_grad, prev_flat_grad, d, t, old_dirs, old_stps, ro, h_diag,
                   history_size):
        """The next search direction by the two-loop recursion over the history, which
        first takes in the last step (if it kept curvature positive)."""
        y = flat_grad.sub(prev_flat_grad)
        s = d.mul(t)
        ys = y.dot(s)
        if ys > 1e-10:
            if len(old_dirs) == history_size:
                for history in (old_dirs, old_stps, ro):
                    history.pop(0)
            old_dirs.append(y)
            old_stps.append(s)
            ro.append(1.0 / ys)
            h_diag = ys / y.dot(y)
        if "al" not in state:
            state["al"] = [None] * history_size
        al = state["al"]
        q = flat_grad.neg()
        for i in range(len(old_dirs) - 1, -1, -1):
            al[i] = old_stps[i].dot(q) * ro[i]
            q.add_(old_dirs[i], alpha=-al[i])
        r = ember.mul(q, h_diag)
        for i in range(len(old_dirs)):
            be_i = old_dirs[i].dot(r) * ro[i]
            r.add_(old_stps[i], alpha=al[i] - be_i)
        return r, h_diag
