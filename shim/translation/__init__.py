"""What the legacy call is and what the table says: recognition, the mapping table, translation.

Pure functions and data, no sockets: an incoming request's parameters become a `LegacyCall`,
the table (`mappings/*.yaml`, loaded by `mapping`) names the UAPI call, `translate` builds it
and rewrites UAPI's answer into the API 2 `cpanelresult` that `envelopes` shapes. `runner`
orders one translated call (optional read, one UAPI call, answer) over an injected sender.

May import: nothing else of `shim` — the rest of the shim imports this, never the reverse.
"""
