"""Side-by-side benchmarks: ember against PyTorch on the same work, as time ratios."""
