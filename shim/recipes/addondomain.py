"""AddonDomain (cPanel 11.120 Cpanel/AddonDomain.pm, Cpanel/SubDomain.pm, Cpanel/Sub.pm).

deladdondomain: API 2 unparked the addon domain, then removed the subdomain it sat on
(SubDomain::_delsubdomain → the `subdomain` admin call DEL → Cpanel::Sub::delsubdomain),
and its one row's reason on success was that last step's sentence, "The subdomain “FQDN”
has been removed.", FQDN being the subdomain's full name (`shop.example.com`, whether the
client named it `shop_example.com` or `shop.example.com`). No `error` on success.

When other addon domains stay parked on the same subdomain, API 2's answer depended on how
the client wrote the subdomain: with the underscore key, the unpark happened and the
subdomain removal failed (result 0, "The “LABEL” subdomain links to the following addon
domain..." with the remaining domains in Perl's hash order); with the dotted name, result 1
and a reason that began with the park admin binary's output, which is not in the 11.120
sources. Neither can be rebuilt exactly, so that case is found by a read before the write
and left to cPanel's own API 2.
"""

from __future__ import annotations

from typing import Any

from shim.translation.recipe import Api2Failure, NativeOnly, RecipeCall, errors_of

REMOVED = "The subdomain “{fqdn}” has been removed."


def _domain_key(subdomain: str) -> str:
    """UAPI wants the underscore key (`shop_example.com`); API 2 also took the dotted name."""
    text = subdomain.strip()
    if not text or "_" in text or "." not in text:
        return text
    return text.replace(".", "_", 1)


def _data_or_failure(result: dict[str, Any]) -> Any:
    """UAPI's data; a failure is API 2's outcome row with the error, and the error beside it."""
    if result.get("status") != 1:
        text = errors_of(result)
        raise Api2Failure(text, [{"result": 0, "reason": text}])
    return result.get("data")


async def deladdondomain(call: RecipeCall) -> list[Any]:
    domain = call.arg("domain")
    key = _domain_key(call.arg("subdomain"))
    addons = _data_or_failure(await call.uapi("AddonDomain", "listaddondomains")) or []
    sharing = [addon.get("domain") for addon in addons if isinstance(addon, dict)
               and addon.get("domainkey") == key and str(addon.get("domain", "")).lower() != domain.lower()]
    if sharing:
        raise NativeOnly(f"other addon domains stay parked on “{key}”: API 2's answer then is not "
                         "in the 11.120 sources")
    _data_or_failure(await call.uapi("AddonDomain", "deladdondomain", {"domain": domain, "subdomain": key}))
    # Cpanel::SubDomain::_delsubdomain: the part before the first "_" is the label, the rest
    # the root domain; the sentence names them joined by a dot.
    return [{"result": 1, "reason": REMOVED.format(fqdn=key.replace("_", ".", 1))}]
