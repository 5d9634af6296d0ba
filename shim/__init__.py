"""api2shim: answers legacy cPanel API 2 calls by translating them to UAPI."""

__version__ = "0.1.0"
