"""The order in which PyTorch's CPU kernels leave equal elements (and NaNs) in sort, topk,
kthvalue, unique, searchsorted, mode, nanmedian and multinomial: their C++ algorithms
replayed as plain functions over NumPy arrays. The ops themselves are in ember/ops/sorting.py,
ember/ops/statistics.py and ember/ops/sampling.py.

Note [Tie order of sort, topk and kthvalue]
PyTorch's CPU kernels order equal elements as their C++ algorithms leave them: sort with
``stable=False`` runs libstdc++'s ``std::sort`` (introsort), topk runs ``std::nth_element``
then ``std::sort`` (or ``std::partial_sort`` when k is small), and kthvalue runs ATen's own
quickselect. ember sorts stably with NumPy, which gives the same result wherever the order
is unique (no ties), and replays those algorithms on ranks only for the rows whose result
depends on how ties are broken. A partition step of these algorithms (Hoare's scheme) is
replayed with a few vectorized NumPy operations: the i-th swap pairs the i-th element from
the left that stops the left scan with the i-th one from the right that stops the right
scan, for as long as the two have not crossed. unique sorts with sort(stable=False) too,
which shows in its inverse only among NaNs; unique(dim=...) compares slices, and mode values
with ``<``, in ways that are no strict weak order where NaNs take part, so their std::sort
is replayed element by element there. multinomial without replacement takes its samples
with topk, nanmedian with std::nth_element. searchsorted's binary search is replayed step
by step where NaNs steer it.
"""

from __future__ import annotations

from ember.backends import cpu as _cpu

_THRESHOLD = 16  # libstdc++'s _S_threshold: introsort leaves such segments to insertion sort


# --- the orders the ops take --------------------------------------------------------------
# ``values`` and ``rows`` hold the elements along their last axis, in a dtype that NumPy
# orders as PyTorch does (NaN last: see _sortable in sorting.py).


def sort_order(values, descending, stable, integral, expanded):
    """The indices that sort ``values`` along its last axis as PyTorch's sort leaves them.
    ``integral``: the input's dtype is an integer one; ``expanded``: the sorted dim has
    stride 0 (PyTorch leaves such a dim, one value throughout, in place)."""
    order = _stable_order(values, descending)
    size = values.shape[-1]
    if stable or size <= _THRESHOLD or expanded or (
            # PyTorch's radix sort (1-d integers, ascending, from 32768 elements) is stable
            values.ndim == 1 and not descending and size >= 32768 and integral):
        return order
    flat_order = order.reshape(-1, size)
    ordered = _cpu.take_along_axis(values.reshape(-1, size), flat_order, -1)
    tied = _cpu.flatnonzero(_equal_neighbours(ordered).any(-1))
    if len(tied):
        flat_order = flat_order.copy()
        keys = _ranks(values.reshape(-1, size)[tied])
        flat_order[tied] = _introsort_rows(-keys if descending else keys)
        order = flat_order.reshape(values.shape)
    return order


def topk_order(rows, k, largest, sorted):
    """The positions of the ``k`` elements PyTorch's topk takes from each row of the 2-d
    ``rows``, in the order it gives them."""
    size = rows.shape[-1]
    full_order = _stable_order(rows, largest)
    order = full_order[:, :k]
    if k and size > 1:
        ordered = _cpu.take_along_axis(rows, full_order, -1)
        # A row whose choice depends on tie breaking: a chosen value occurs twice.
        equal = _equal_neighbours(ordered)
        depends = equal[:, :k].any(-1) if k < size else equal.any(-1)
        if not sorted and k * 64 > size:
            depends = _cpu.ones(len(rows), bool)  # nth_element's order is its own
        elif k == 1 and k * 64 <= size:
            depends[:] = False  # a heap of one keeps the first extreme, as a stable sort
        replay = _cpu.flatnonzero(depends)
        if len(replay):
            order = order.copy()
            keys = _ranks(rows[replay])
            order[replay] = _topk_rows(-keys if largest else keys, k, sorted)
    return order


def kthvalue_positions(rows, k):
    """The position of the ``k``-th smallest element (from 1) of each row of the 2-d
    ``rows``, the one ATen's quickselect picks among equal ones."""
    size = rows.shape[-1]
    order = _stable_order(rows, False)
    chosen = order[:, k - 1].copy()
    ordered = _cpu.take_along_axis(rows, order, -1)
    equal = _equal_neighbours(ordered)
    tied = _cpu.zeros(len(rows), bool)
    if k > 1:
        tied |= equal[:, k - 2]
    if k < size:
        tied |= equal[:, k - 1]
    replay = _cpu.flatnonzero(tied)
    if len(replay):
        keys, positions, lo = _flat(_ranks(rows[replay]))
        _quick_select_many(keys, positions, lo, lo + size, lo + k - 1)
        chosen[replay] = positions[lo + k - 1]
    return chosen


def nth_element_positions(rows, nth):
    """The position of the element libstdc++'s ``std::nth_element`` leaves at ``nth`` in
    each row of the 2-d ``rows`` (NaN the largest, NaNs equivalent)."""
    _, moved = _nth_element_rows(_ranks(rows), nth)
    return moved[:, nth]


def mode_order(rows):
    """The order in which PyTorch's mode sorts each row of the 2-d ``rows``: ``std::sort``
    comparing values with ``<``. A NaN is equivalent to every value there, no strict weak
    order: the rows holding NaNs are replayed element by element."""
    order = sort_order(rows, False, False, False, False)
    if rows.dtype.kind == "f":
        for row in _cpu.flatnonzero(_cpu.isnan(rows).any(-1)).tolist():
            items = [_Slice((value,), index) for index, value in enumerate(rows[row].tolist())]
            _std_sort(items)
            order[row] = [item.index for item in items]
    return order


def unique_dim_order(rows):
    """The order in which PyTorch's unique(dim=...) sorts the slices, the rows of the 2-d
    ``rows`` (equal slices in any order: unique keeps one of them)."""
    size = len(rows)
    if rows.dtype.kind == "f" and _cpu.isnan(rows).any():
        items = [_Slice(values, index) for index, values in enumerate(rows.tolist())]
        _std_sort(items)
        return _cpu.array([item.index for item in items], _cpu.int64)
    return _cpu.lexsort(rows.T[::-1]) if rows.shape[1] else _cpu.arange(size)


def searchsorted_positions(sequence, points, right):
    """Where PyTorch's searchsorted inserts ``points`` in the last axis of the sorted
    ``sequence`` (1-d, or one row per row of ``points``)."""
    if sequence.ndim == 1 and not (sequence.dtype.kind == "f" and _cpu.isnan(sequence).any()):
        return _cpu.searchsorted(sequence, points, "right" if right else "left")
    rows = sequence.reshape(-1, sequence.shape[-1])
    return _bisect(rows, points.reshape(len(rows), -1), right).reshape(points.shape)


# --- keys ---------------------------------------------------------------------------------


def _ranks(rows):
    """Dense ranks of ``rows`` (2-d), equal values equal, NaN the largest."""
    _, inverse = _cpu.unique(rows, return_inverse=True)
    return inverse.reshape(rows.shape).astype(_cpu.int64)


def _equal_neighbours(ordered):
    """Along the last axis of sorted ``ordered``: where an element equals the next one."""
    same = ordered[..., 1:] == ordered[..., :-1]
    if ordered.dtype.kind == "f":
        same |= _cpu.isnan(ordered[..., 1:]) & _cpu.isnan(ordered[..., :-1])
    return same


def _stable_order(rows, descending):
    """Stable argsort of each row; descending keeps equal elements in their order."""
    if not descending:
        return _cpu.argsort(rows, axis=-1, kind="stable")
    size = rows.shape[-1]
    return (size - 1) - _cpu.argsort(rows[..., ::-1], axis=-1, kind="stable")[..., ::-1]


# --- replaying the C++ algorithms (see Note [Tie order of sort, topk and kthvalue]) -------
# Rows are replayed together: their keys (ranks, equal values equal) lie in one flat array,
# each step works on a set of disjoint segments [lo, hi) of it at once, and ``perm`` carries
# each element's position in its row along with it.


def _segment_positions(lo, hi):
    """For disjoint segments [lo, hi): each element's position and its segment's number."""
    lengths = hi - lo
    segment = _cpu.repeat(_cpu.arange(len(lo)), lengths)
    starts = _cpu.cumsum(lengths) - lengths
    positions = _cpu.arange(int(lengths.sum())) - _cpu.repeat(starts - lo, lengths)
    return positions, segment


def _swap_many(keys, perm, i, j):
    keys[i], keys[j] = keys[j], keys[i].copy()
    perm[i], perm[j] = perm[j], perm[i].copy()


def _scan_stops(keys, lo, hi, pivot, right_skips_last):
    """The stops of Hoare's two scans in every segment [lo, hi) at once: the left scan
    stops at elements >= the segment's pivot (its first element excluded), the right scan,
    from the end, at elements <= it (the last excluded if ``right_skips_last``).

    Returns the stops that swap (left and right, paired), the number of swaps per segment,
    the number of pairs of stops, and accessors of the t-th left / right stop."""
    count = len(lo)
    lengths = hi - lo
    offsets = _cpu.cumsum(lengths) - lengths
    positions = _cpu.arange(int(lengths.sum())) + _cpu.repeat(lo - offsets, lengths)
    difference = keys[positions] - _cpu.repeat(pivot, lengths)
    left_mask = difference >= 0
    left_mask[offsets] = False
    right_mask = difference <= 0
    if right_skips_last:
        right_mask[offsets + lengths - 1] = False
    left_index, right_index = _cpu.flatnonzero(left_mask), _cpu.flatnonzero(right_mask)
    right_before = _cpu.cumsum(right_mask)  # right stops up to each element
    ends = offsets + lengths - 1
    left_end = _cpu.cumsum(left_mask)[ends]
    right_end = right_before[ends]  # right stops are read from the end
    left_count = _cpu.diff(left_end, prepend=0)
    right_count = _cpu.diff(right_end, prepend=0)
    left_start = left_end - left_count
    left, right = positions[left_index], positions[right_index]
    # The t-th left stop swaps while more than t right stops lie beyond it.
    left_segment = _cpu.repeat(_cpu.arange(count), left_count)
    rank = _cpu.arange(len(left)) - left_start[left_segment]
    beyond = right_end[left_segment] - right_before[left_index]
    swapping = beyond > rank
    swaps = _cpu.bincount(left_segment[swapping], minlength=count)
    # the right stops that swap: the last ``swaps`` of each segment, paired from the end
    right_segment = _cpu.repeat(_cpu.arange(count), right_count)
    from_end = right_end[right_segment] - 1 - _cpu.arange(len(right))
    chosen = from_end < swaps[right_segment]
    slots = (_cpu.cumsum(swaps) - swaps)[right_segment[chosen]] + from_end[chosen]
    paired = _cpu.empty(len(slots), _cpu.int64)
    paired[slots] = right[chosen]

    def left_stop(index, t, default):
        ok = t < left_count[index]
        return _cpu.where(ok, left[_cpu.where(ok, left_start[index] + t, 0)] if len(left)
                          else default, default)

    def right_stop(index, t, default):
        ok = (t >= 0) & (t < right_count[index])
        return _cpu.where(ok, right[_cpu.where(ok, right_end[index] - 1 - t, 0)]
                          if len(right) else default, default)

    pairs = _cpu.minimum(left_count, right_count)
    return left[swapping], paired, swaps, pairs, left_stop, right_stop


def _partition_many(keys, perm, lo, hi):
    """libstdc++'s ``__unguarded_partition_pivot`` on every segment [lo, hi) at once."""
    a, b, c = lo + 1, lo + (hi - lo) // 2, hi - 1
    ka, kb, kc = keys[a], keys[b], keys[c]
    median = _cpu.where(ka < kb, _cpu.where(kb < kc, b, _cpu.where(ka < kc, c, a)),
                        _cpu.where(ka < kc, a, _cpu.where(kb < kc, c, b)))
    _swap_many(keys, perm, lo, median)
    index = _cpu.arange(len(lo))
    left, right, swaps, _, left_stop, right_stop = _scan_stops(keys, lo, hi, keys[lo], False)
    _swap_many(keys, perm, left, right)
    cut = left_stop(index, swaps, hi)
    return _cpu.where(swaps > 0, _cpu.minimum(cut, right_stop(index, swaps - 1, hi)), cut)


def _quick_select_many(keys, perm, lo, hi, k):
    """ATen's ``quick_select_template`` in every row at once: row r spans [lo[r], hi[r])
    of the flat arrays, and its k-th smallest (k[r], absolute) lands at k[r]."""
    low, high = lo.copy(), hi - 1
    while True:
        active = _cpu.flatnonzero(high > low)
        if not len(active):
            return
        two = active[high[active] == low[active] + 1]
        if len(two):
            flip = two[keys[low[two]] > keys[high[two]]]
            _swap_many(keys, perm, low[flip], high[flip])
            high[two] = low[two]
        rows = active[high[active] > low[active] + 1]
        if not len(rows):
            continue
        L, R = low[rows], high[rows]
        _swap_many(keys, perm, L + (R - L) // 2, L + 1)
        for x, y in ((L + 1, R), (L, R), (L + 1, L)):
            flip = keys[x] > keys[y]
            _swap_many(keys, perm, x[flip], y[flip])
        index = _cpu.arange(len(rows))
        left, right, swaps, pairs, left_stop, right_stop = _scan_stops(
            keys, L + 1, R + 1, keys[L], True)
        _swap_many(keys, perm, left, right)
        # Both scans stopping on one element (equal to the pivot) is a no-op swap, and the
        # scans go on once more.
        first = left_stop(index, swaps, -1)
        more = (swaps < pairs) & (first == right_stop(index, swaps, -2))
        i = left_stop(index, swaps + more, R + 1)
        j = right_stop(index, swaps + more, L)
        done = swaps > 0
        i = _cpu.where(done, _cpu.minimum(i, right_stop(index, swaps - 1, R + 1)), i)
        j = _cpu.where(done, _cpu.maximum(j, left_stop(index, swaps - 1, L)), j)
        _swap_many(keys, perm, L, j)
        target = k[rows]
        low[rows] = _cpu.where(j <= target, i, L)
        high[rows] = _cpu.where(j >= target, j - 1, R)


def _stable_sort_segments(keys, perm, lo, hi):
    """Insertion sort (stable) of every segment [lo, hi)."""
    positions, segment = _segment_positions(lo, hi)
    order = _cpu.lexsort((keys[positions], segment))
    keys[positions], perm[positions] = keys[positions[order]], perm[positions[order]]


def _adjust_heap(keys, perm, first, hole, length, key, index):
    top = child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if keys[first + child] < keys[first + child - 1]:
            child -= 1
        keys[first + hole], perm[first + hole] = keys[first + child], perm[first + child]
        hole = child
    if length & 1 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        keys[first + hole], perm[first + hole] = keys[first + child - 1], perm[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and keys[first + parent] < key:
        keys[first + hole], perm[first + hole] = keys[first + parent], perm[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    keys[first + hole], perm[first + hole] = key, index


def _pop_heap(keys, perm, first, last, result):
    key, index = keys[result], perm[result]
    keys[result], perm[result] = keys[first], perm[first]
    _adjust_heap(keys, perm, first, 0, last - first, key, index)


def _heap_select(keys, perm, first, middle, last):
    """libstdc++'s ``__heap_select``: a max-heap of the smallest middle - first elements.
    ``keys`` and ``perm`` are lists; the elements past ``middle`` that cannot enter the heap
    are skipped in bulk."""
    length = middle - first
    if length >= 2:
        for parent in range((length - 2) // 2, -1, -1):
            _adjust_heap(keys, perm, first, parent, length, keys[first + parent],
                         perm[first + parent])
    array = _cpu.asarray(keys[middle:last])
    start = 0
    while start < len(array):
        chunk = array[start:start + 4096]
        for position in (_cpu.flatnonzero(chunk < keys[first]) + start + middle).tolist():
            if keys[position] < keys[first]:
                _pop_heap(keys, perm, first, middle, position)
        start += 4096


def _sort_heap(keys, perm, first, last):
    while last - first > 1:
        last -= 1
        _pop_heap(keys, perm, first, last, last)


def _heap_sort(keys, perm, lo, hi):
    """libstdc++'s ``__partial_sort(first, last, last)``, introsort's fallback."""
    key_list, perm_list = keys[lo:hi].tolist(), perm[lo:hi].tolist()
    _heap_select(key_list, perm_list, 0, hi - lo, hi - lo)
    _sort_heap(key_list, perm_list, 0, hi - lo)
    keys[lo:hi], perm[lo:hi] = key_list, perm_list


def _heap_nth(keys, perm, lo, nth, hi):
    """Introselect's fallback: ``__heap_select`` then the nth element swapped into place."""
    key_list, perm_list = keys[lo:hi].tolist(), perm[lo:hi].tolist()
    _heap_select(key_list, perm_list, 0, nth - lo + 1, hi - lo)
    key_list[0], key_list[nth - lo] = key_list[nth - lo], key_list[0]
    perm_list[0], perm_list[nth - lo] = perm_list[nth - lo], perm_list[0]
    keys[lo:hi], perm[lo:hi] = key_list, perm_list


def _flat(keys, perm=None):
    """Row-major flat copies of 2-d ``keys`` and ``perm`` (by default the positions)."""
    rows, size = keys.shape
    if perm is None:
        perm = _cpu.tile(_cpu.arange(size), rows)
    return keys.reshape(-1).copy(), perm.reshape(-1).copy(), _cpu.arange(rows) * size


def _introsort_rows(keys, perm=None):
    """libstdc++'s ``std::sort`` of each row of ranks ``keys``: the rows of ``perm``
    (default: the positions) in the order it leaves them."""
    rows, size = keys.shape
    flat, moved, lo = _flat(keys, perm)
    if size > _THRESHOLD:
        # A segment whose keys are all different ends up sorted whatever the algorithm does
        # in it: only segments holding equal keys are replayed further.
        span = int(flat.max() - flat.min()) + 1
        _, inverse, counts = _cpu.unique((flat - flat.min()) + _cpu.repeat(lo // size, size)
                                         * span, return_inverse=True, return_counts=True)
        repeated = _cpu.zeros((rows, int(moved.max()) + 1), bool)
        repeated[_cpu.repeat(_cpu.arange(rows), size), moved] = counts[inverse.reshape(-1)] > 1
        hi = lo + size
        depth = _cpu.full(rows, 2 * (size.bit_length() - 1))
        while len(lo):
            long = hi - lo > _THRESHOLD
            lo, hi, depth = lo[long], hi[long], depth[long]
            if not len(lo):
                break
            positions, segment = _segment_positions(lo, hi)
            tied = _cpu.bincount(segment, repeated[positions // size, moved[positions]],
                                 len(lo)) > 0
            exhausted = tied & (depth == 0)
            for first, last in zip(lo[exhausted].tolist(), hi[exhausted].tolist()):
                _heap_sort(flat, moved, first, last)
            go = tied & ~exhausted
            lo, hi, depth = lo[go], hi[go], depth[go] - 1
            if not len(lo):
                break
            cut = _partition_many(flat, moved, lo, hi)
            lo, hi = _cpu.concatenate([lo, cut]), _cpu.concatenate([cut, hi])
            depth = _cpu.concatenate([depth, depth])
    # The final insertion sort never moves an element out of its segment, and the segments
    # are in order: it is a stable sort of each row.
    order = _cpu.argsort(flat.reshape(rows, size), axis=-1, kind="stable")
    return _cpu.take_along_axis(moved.reshape(rows, size), order, -1)


def _nth_element_rows(keys, nth):
    """libstdc++'s ``std::nth_element`` at ``nth`` in each row of ranks ``keys``: the rows'
    keys and positions as it leaves them."""
    rows, size = keys.shape
    flat, moved, lo = _flat(keys)
    hi, target = lo + size, lo + nth
    depth = _cpu.full(rows, 2 * (size.bit_length() - 1))
    while True:
        active = _cpu.flatnonzero(hi - lo > 3)
        if not len(active):
            break
        exhausted = active[depth[active] == 0]
        for first, last, at in zip(lo[exhausted].tolist(), hi[exhausted].tolist(),
                                   target[exhausted].tolist()):
            _heap_nth(flat, moved, first, at, last)
        lo[exhausted] = hi[exhausted]  # done: nothing left to sort
        active = active[depth[active] > 0]
        depth[active] -= 1
        cut = _partition_many(flat, moved, lo[active], hi[active])
        right = cut <= target[active]
        lo[active] = _cpu.where(right, cut, lo[active])
        hi[active] = _cpu.where(right, hi[active], cut)
    _stable_sort_segments(flat, moved, lo, hi)
    return flat.reshape(rows, size), moved.reshape(rows, size)


def _adjust_heaps(heap, perm, rows, hole, length, key, index):
    """``__adjust_heap`` in the heaps of ``rows`` at once (each with its own ``hole``)."""
    top = hole.copy()
    while True:
        going = _cpu.flatnonzero(hole < (length - 1) // 2)
        if not len(going):
            break
        at, child = rows[going], 2 * (hole[going] + 1)
        child = child - (heap[at, child] < heap[at, child - 1])
        heap[at, hole[going]], perm[at, hole[going]] = heap[at, child], perm[at, child]
        hole[going] = child
    if length % 2 == 0:
        last = _cpu.flatnonzero(hole == (length - 2) // 2)
        at, child = rows[last], 2 * (hole[last] + 1) - 1
        heap[at, hole[last]], perm[at, hole[last]] = heap[at, child], perm[at, child]
        hole[last] = child
    while True:  # __push_heap
        parent = _cpu.maximum((hole - 1) // 2, 0)
        going = _cpu.flatnonzero((hole > top) & (heap[rows, parent] < key))
        if not len(going):
            break
        at = rows[going]
        heap[at, hole[going]], perm[at, hole[going]] = heap[at, parent[going]], perm[
            at, parent[going]]
        hole[going] = parent[going]
    heap[rows, hole], perm[rows, hole] = key, index


def _partial_sort_rows(keys, k):
    """``std::partial_sort`` of the first k of each row of ranks ``keys``, all rows in step
    (for many short rows): the positions it leaves in front."""
    rows, size = keys.shape
    heap = keys[:, :k].copy()
    perm = _cpu.tile(_cpu.arange(k), (rows, 1))
    every = _cpu.arange(rows)
    for parent in range((k - 2) // 2, -1, -1) if k >= 2 else ():
        _adjust_heaps(heap, perm, every, _cpu.full(rows, parent), k, heap[:, parent].copy(),
                      perm[:, parent].copy())
    for position in range(k, size):
        column = keys[:, position]
        popping = _cpu.flatnonzero(column < heap[:, 0])
        if len(popping):
            _adjust_heaps(heap, perm, popping, _cpu.zeros(len(popping), _cpu.int64), k,
                          column[popping], _cpu.full(len(popping), position))
    for last in range(k - 1, 0, -1):  # __sort_heap
        key, index = heap[:, last].copy(), perm[:, last].copy()
        heap[:, last], perm[:, last] = heap[:, 0], perm[:, 0]
        _adjust_heaps(heap, perm, every, _cpu.zeros(rows, _cpu.int64), last, key, index)
    return perm


def _topk_rows(keys, k, sorted):
    """Where PyTorch's topk takes the k elements of each row of ranks ``keys`` (smallest
    first: largest negates them)."""
    rows, size = keys.shape
    if k * 64 <= size <= 512 and rows * 16 >= size:
        return _partial_sort_rows(keys, k)
    if k * 64 <= size:  # std::partial_sort: a heap, element by element
        chosen = _cpu.empty((rows, k), _cpu.int64)
        for row, row_keys in enumerate(keys):
            key_list, perm_list = row_keys.tolist(), list(range(size))
            _heap_select(key_list, perm_list, 0, k, size)
            _sort_heap(key_list, perm_list, 0, k)
            chosen[row] = perm_list[:k]
        return chosen
    flat, moved = _nth_element_rows(keys, k - 1)
    chosen = moved[:, :k].copy()
    if sorted and k > 1:
        chosen[:, :k - 1] = _introsort_rows(flat[:, :k - 1], moved[:, :k - 1])
    return chosen


# --- std::sort element by element (unique(dim=...) and mode, where NaNs take part) --------


class _Slice:
    """A slice compared as PyTorch's unique(dim=...) compares them: by the first element
    where one is less or greater than the other (so NaNs are passed over). A slice of one
    value compares with ``<``, as mode compares values."""

    __slots__ = ("values", "index")

    def __init__(self, values, index):
        self.values, self.index = values, index

    def __lt__(self, other):
        for mine, theirs in zip(self.values, other.values):
            if mine < theirs:
                return True
            if mine > theirs:
                return False
        return False


def _linear_insert(items, last):
    value, before = items[last], last - 1
    while before >= 0 and value < items[before]:  # unguarded in C++
        items[last] = items[before]
        last, before = before, before - 1
    items[last] = value


def _std_sort(items):
    """libstdc++'s ``std::sort`` of a list, element by element: for comparisons that are not
    a strict weak order (values or slices with NaNs), whose result only a faithful replay
    gives."""
    size = len(items)
    if size < 2:
        return
    pending = [(0, size, 2 * (size.bit_length() - 1))]
    while pending:
        first, last, depth = pending.pop()
        while last - first > _THRESHOLD:
            if depth == 0:
                part, unused = items[first:last], [0] * (last - first)
                _heap_select(part, unused, 0, len(part), len(part))
                _sort_heap(part, unused, 0, len(part))
                items[first:last] = part
                break
            depth -= 1
            a, b, c = first + 1, first + (last - first) // 2, last - 1
            if items[a] < items[b]:
                median = b if items[b] < items[c] else (c if items[a] < items[c] else a)
            else:
                median = a if items[a] < items[c] else (c if items[b] < items[c] else b)
            items[first], items[median] = items[median], items[first]
            pivot, low, high = items[first], first + 1, last
            while True:
                while low < last - 1 and items[low] < pivot:
                    low += 1
                high -= 1
                while high > first and pivot < items[high]:
                    high -= 1
                if not low < high:
                    break
                items[low], items[high] = items[high], items[low]
                low += 1
            pending.append((low, last, depth))
            last = low
    head = min(size, _THRESHOLD)
    for position in range(1, size):
        if position < head and items[position] < items[0]:
            items[1:position + 1], items[0] = items[:position], items[position]
        else:
            _linear_insert(items, position)


# --- binary search ------------------------------------------------------------------------


def _bisect(rows, queries, right):
    """PyTorch's binary search, for all ``queries`` at once (row i searched in row i of
    ``rows``): its path, not only its answer, decides where NaNs send a value."""
    size = rows.shape[-1]
    start = _cpu.zeros(queries.shape, _cpu.int64)
    end = _cpu.full(queries.shape, size, _cpu.int64)
    with _cpu.errstate(invalid="ignore"):
        while True:
            active = start < end
            if not active.any():
                return start
            middle = start + ((end - start) >> 1)
            value = _cpu.take_along_axis(rows, _cpu.minimum(middle, size - 1), -1)
            onward = ~(value > queries) if right else ~(value >= queries)
            start = _cpu.where(active & onward, middle + 1, start)
            end = _cpu.where(active & ~onward, middle, end)
