"""The Qt GUI: a thin layer over the core operations (the only package importing Qt)."""
