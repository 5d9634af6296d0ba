"""What the shim tells its operator: access lines, metrics, the usage report, readiness, redaction.

`redact` is the one place that decides what may be written down about a request.

May import: `shim.translation` (function names, the table's modes and secrets). Never
`shim.inbound`, `shim.upstream`, `shim.operations` or `shim.app`.
"""
