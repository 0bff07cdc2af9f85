"""``python -m ember.utils.bottleneck script.py [args]``: a first look at where a script
spends its time, from one run under cProfile and one under ``ember.profiler``. The script
may be written for ember or for torch (``import torch`` gives ember, as ``ember.run`` does).
"""
