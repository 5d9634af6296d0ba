"""How calls go upstream: the keep-alive connection pool, translated calls, pass-through.

May import: `shim.config`, `shim.observability` (request ids, error notes). Never
`shim.inbound`, `shim.operations` or `shim.app`.
"""
