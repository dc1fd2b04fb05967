"""The training pages, one module per area; training.urls names each view by its module."""
