"""qms-site: a static site generator for a document-controlled quality manual."""

__version__ = "0.1.0"
__all__ = ["__version__"]
