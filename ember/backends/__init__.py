"""The compute layer: one NumPy-like namespace per device type."""
