"""Calling one API 2 module through the shim in end-to-end tests, and the documents to expect.

    calls = Api2Calls(stack, "Park")
    await calls.whm("park", domain="x.test")        # WHM listener, as root for `user`
    await calls.cpanel("listparkeddomains")          # cPanel listener, as `user`
    await calls.uapi("Park", "listparkeddomains")    # the fake's own UAPI answer (data)
    await calls.native_cpanel("listparkeddomains")   # the fake's own native API 2 answer
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, AsyncIterator

import aiohttp
from conftest import ROOT_AUTH, USER_AUTH, Stack, start_stack

_WHM_ENVELOPE = {"api.version", "cpanel.user", "cpanel.module", "cpanel.function"}


@dataclass
class Api2Calls:
    stack: Stack
    module: str

    async def whm(self, func: str, **args: str) -> tuple[int, Any]:
        form = {"cpanel_jsonapi_user": "user", "cpanel_jsonapi_apiversion": "2",
                "cpanel_jsonapi_module": self.module, "cpanel_jsonapi_func": func, **args}
        return await self.stack.post_json(f"{self.stack.whm}/json-api/cpanel", data=form, headers=ROOT_AUTH)

    async def cpanel(self, func: str, **args: str) -> tuple[int, Any]:
        query = {"cpanel_jsonapi_apiversion": "2", "cpanel_jsonapi_module": self.module,
                 "cpanel_jsonapi_func": func, **args}
        return await self.stack.get_json(f"{self.stack.cpanel}/json-api/cpanel", params=query, headers=USER_AUTH)

    async def native_cpanel(self, func: str, **args: str) -> tuple[int, Any]:
        """The fake's own native API 2 answer to what `cpanel(...)` sends, without the shim."""
        query = {"cpanel_jsonapi_apiversion": "2", "cpanel_jsonapi_module": self.module,
                 "cpanel_jsonapi_func": func, **args}
        return await self.stack.get_json(f"{self.stack.fake_cpanel}/json-api/cpanel", params=query, headers=USER_AUTH)

    async def uapi(self, module: str, func: str, **args: str) -> Any:
        status, document = await self.stack.get_json(
            f"{self.stack.fake_cpanel}/execute/{module}/{func}", params=args, headers=USER_AUTH)
        assert status == 200 and document["status"] == 1, document
        return document["data"]

    def last_uapi(self) -> tuple[str, str, dict[str, list[str]]]:
        """(UAPI module, function, arguments) of the last call the fake received over WHM."""
        seen = self.stack.state.requests[-1]
        assert seen.path.endswith("/json-api/uapi_cpanel"), seen.path
        args = {k: v for k, v in seen.form.items() if k not in _WHM_ENVELOPE}
        return seen.form["cpanel.module"][0], seen.form["cpanel.function"][0], args

    def ok(self, func: str, data: list[Any]) -> dict[str, Any]:
        return {"cpanelresult": {"apiversion": 2, "func": func, "data": data, "event": {"result": 1},
                                 "module": self.module}}

    def status_ok(self, func: str) -> dict[str, Any]:
        return self.ok(func, [{"result": 1, "reason": "OK"}])

    def failed(self, func: str, error: str, rows: list[Any] | None = None) -> dict[str, Any]:
        return {"cpanelresult": {"apiversion": 2, "func": func, "module": self.module, "event": {"result": 1},
                                 "data": [{"result": 0, "reason": error}] if rows is None else rows,
                                 "error": error}}


@asynccontextmanager
async def stack_for_upstream(version: str) -> AsyncIterator[Stack]:
    """A stack whose shim is told the upstream runs cPanel `version` (the `since` gate)."""
    async with stack_with({"upstream_version": version}) as stack:
        yield stack


@asynccontextmanager
async def stack_with(overrides: dict[str, Any] | None = None, *, tables: Any = None,
                     state: Any = None) -> AsyncIterator[Stack]:
    """A stack with settings (and optionally a mapping table or fake state) of the test's own."""
    state, config, listeners = await start_stack(overrides, state, tables=tables)
    shim_whm, shim_cpanel, fake_whm, fake_cpanel = listeners
    try:
        async with aiohttp.ClientSession() as http:
            yield Stack(state=state, config=config, whm=f"http://127.0.0.1:{shim_whm.port}",
                        cpanel=f"http://127.0.0.1:{shim_cpanel.port}", fake_whm=f"http://127.0.0.1:{fake_whm.port}",
                        fake_cpanel=f"http://127.0.0.1:{fake_cpanel.port}", http=http)
    finally:
        for listener in listeners:
            await listener.close()
