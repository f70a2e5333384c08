"""songngu's translation pipeline: article → segments → constrained MarianMT → reviewed bitext."""

__version__ = "0.1.0"
