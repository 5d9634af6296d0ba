"""Running the process: the admin listener, reload, worker processes, event loop and GC settings.

The outermost ring: it starts and stops what the rest builds.

May import: everything in `shim`.
"""
