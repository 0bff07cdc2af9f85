"""The private modules behind ``ember.nn.functional``, one per family of layers."""
