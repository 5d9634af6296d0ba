"""`python -m shim demo`: the embedded fake cPanel with the shim in front, on local ports."""

from __future__ import annotations

import sys
from typing import Awaitable, Callable

from shim import fakecpanel
from shim.app import TableHolder, create_app, load_configured_table
from shim.config import load_config
from shim.inbound.listener import start_listener
from shim.observability.observe import Runtime
from shim.operations.admin import create_admin_app

DEFAULT_ADMIN_PORT = 9180


async def run_demo(host: str, whm_port: int, cpanel_port: int, wait: Callable[[], Awaitable[None]],
                   admin_port: int = DEFAULT_ADMIN_PORT) -> None:
    state = fakecpanel.FakeState.demo()
    fake_whm = await start_listener(fakecpanel.create_whm_app(state), "127.0.0.1", 0)
    fake_cpanel = await start_listener(fakecpanel.create_cpanel_app(state), "127.0.0.1", 0)
    config = load_config(
        None,
        {
            "whm_listen": f"{host}:{whm_port}",
            "whm_upstream": f"http://127.0.0.1:{fake_whm.port}",
            "cpanel_listen": f"{host}:{cpanel_port}",
            "cpanel_upstream": f"http://127.0.0.1:{fake_cpanel.port}",
        },
    )
    tables = TableHolder(load_configured_table(config))
    runtime = Runtime()
    shim_whm = await start_listener(create_app(config, "whm", tables, runtime), host, whm_port)
    shim_cpanel = await start_listener(create_app(config, "cpanel", tables, runtime), host, cpanel_port)
    admin = await start_listener(create_admin_app(runtime, config.services, None), "127.0.0.1", admin_port)
    try:
        print(demo_text(host, shim_whm.port, shim_cpanel.port, fake_whm.port, fake_cpanel.port, admin.port),
              file=sys.stderr, flush=True)
        await wait()
    finally:
        for listener in (shim_whm, shim_cpanel, fake_whm, fake_cpanel, admin):
            await listener.close()


def admin_text(port: int | None) -> str:
    if port is None:
        return ""
    return f"""The admin listener: readiness, metrics, the usage report. The access log (JSON Lines) is
this command's stdout: `./dev demo > access.log`, then `.venv/bin/python -m shim usage --log access.log`.
  curl -s http://127.0.0.1:{port}/readyz
  curl -s http://127.0.0.1:{port}/metrics | grep '^api2shim_api2'
  .venv/bin/python -m shim usage --admin 127.0.0.1:{port}

"""


def demo_text(host: str, whm: int, cpanel: int, fake_whm: int, fake_cpanel: int, admin: int | None = None) -> str:
    root = f"whm root:{fakecpanel.ROOT_TOKEN}"
    user = f"cpanel user:{fakecpanel.USER_TOKEN}"
    base_whm = f"http://{host}:{whm}"
    base_cp = f"http://{host}:{cpanel}"
    return f"""
api2shim demo: the shim listens on {base_whm} (WHM) and {base_cp} (cPanel),
in front of an embedded fake cPanel (WHM on 127.0.0.1:{fake_whm}, cPanel on 127.0.0.1:{fake_cpanel}).

A legacy API 2 call through WHM, translated to UAPI Ftp::passwd:
  curl -s -H 'Authorization: {root}' '{base_whm}/cpsess0123456789/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_apiversion=2&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=user&pass=12345luggage'

The same kind of call on the cPanel port with the account's own token:
  curl -s -H 'Authorization: {user}' '{base_cp}/json-api/cpanel?cpanel_jsonapi_apiversion=2&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftp'

Add an FTP account, then list it:
  curl -s -H 'Authorization: {root}' -d 'cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=addftp&user=demo&pass=s3cret-Pass&quota=20' '{base_whm}/json-api/cpanel'
  curl -s -H 'Authorization: {root}' '{base_whm}/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftpwithdisk'

A function with no UAPI equivalent passes through to the server's own API 2:
  curl -s -H 'Authorization: {user}' '{base_cp}/json-api/cpanel?cpanel_jsonapi_module=SSH&cpanel_jsonapi_func=listkeys'

WHM API 1 and UAPI pass through untouched:
  curl -s -H 'Authorization: {root}' '{base_whm}/json-api/version?api.version=1'
  curl -s -H 'Authorization: {user}' '{base_cp}/execute/Ftp/list_ftp'

Bad credentials get cPanel's own answer:
  curl -s -H 'Authorization: whm root:WRONG' '{base_whm}/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftp'

See what a URL becomes without any network:
  .venv/bin/python -m shim translate '/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=user&pass=x'

{admin_text(admin)}Ctrl-C stops the demo.
"""
