"""An upstream that misbehaves in every way the fake knows, on translated and pass-through paths.

Each fault gets its defined answer, the shim keeps serving, and descriptors and sockets of
the test process (client, shim and fake all live in it) come back to where they were.
The translated answers for single faults are in test_answer_shapes_e2e.py; this file adds
pass-through, the cPanel port, repeated rounds with leak counting, and the endless body.
"""

import asyncio
import os

import aiohttp
import pytest
from conftest import ROOT_AUTH, USER_AUTH, start_stack

WHM_PASSWD = "/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=user&pass=Sup3r-secret-pw"
CP_LIST = "/json-api/cpanel?cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftp"
# No entry will ever name this function, so it passes through.
UNMAPPED = "/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_module=Unmapped&cpanel_jsonapi_func=nothing"
API1 = "/json-api/version?api.version=1"
UNAVAILABLE = "502 Bad Gateway: upstream is unavailable\n"
TIMED_OUT = "504 Gateway Timeout: upstream did not answer in time\n"


def failed(func, reason, module="Ftp"):
    return {"cpanelresult": {"apiversion": 2, "func": func, "module": module, "data": [],
                             "event": {"result": 0, "reason": reason}, "error": reason}}


def descriptors() -> tuple[int, int]:
    """(open descriptors, of which sockets) of this process."""
    fds = sockets = 0
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue  # the listing's own descriptor, gone already
        fds += 1
        sockets += target.startswith("socket:")
    return fds, sockets


@pytest.fixture
async def shim():
    state, config, listeners = await start_stack({"read_timeout": 0.3, "max_upstream_answer": 1024 * 1024})
    yield state, f"http://127.0.0.1:{listeners[0].port}", f"http://127.0.0.1:{listeners[1].port}"
    for listener in listeners:
        await listener.close()


# (fault, service, path, headers, expected status, expected body: a dict is JSON, a str is text)
CASES = [
    ("status:500", "whm", WHM_PASSWD, ROOT_AUTH, 502, failed("passwd", "upstream answered HTTP 500")),
    ("status:503", "cpanel", CP_LIST, USER_AUTH, 502, failed("listftp", "upstream answered HTTP 503")),
    ("html", "cpanel", CP_LIST, USER_AUTH, 502, failed("listftp", "upstream answered something that is not JSON")),
    ("invalid_json", "whm", WHM_PASSWD, ROOT_AUTH, 502, failed("passwd", "upstream answered something that is not JSON")),
    ("hang", "whm", WHM_PASSWD, ROOT_AUTH, 504, failed("passwd", "upstream did not answer in time")),
    ("hang", "cpanel", CP_LIST, USER_AUTH, 504, failed("listftp", "upstream did not answer in time")),
    ("reset", "cpanel", CP_LIST, USER_AUTH, 502, failed("listftp", "upstream closed the connection before answering")),
    ("drop", "whm", WHM_PASSWD, ROOT_AUTH, 502, failed("passwd", "upstream closed the connection before answering")),
    ("huge:2", "whm", WHM_PASSWD, ROOT_AUTH, 502, failed("passwd", "upstream answer is too large")),
    ("huge_chunked:2", "cpanel", CP_LIST, USER_AUTH, 502, failed("listftp", "upstream answer is too large")),
    # pass-through: API 2 functions without an entry, and WHM API 1
    ("drop", "whm", UNMAPPED, ROOT_AUTH, 502, failed("nothing", "upstream is unavailable", "Unmapped")),
    ("hang", "whm", UNMAPPED, ROOT_AUTH, 504, failed("nothing", "upstream did not answer in time", "Unmapped")),
    ("drop", "whm", API1, ROOT_AUTH, 502, UNAVAILABLE),
    ("hang", "whm", API1, ROOT_AUTH, 504, TIMED_OUT),
    # what upstream says is what the client gets when nothing is translated
    ("status:503", "whm", API1, ROOT_AUTH, 503, None),
    ("html", "whm", API1, ROOT_AUTH, 200, None),
]


# Where each call arrives upstream, which is what a fault matches.
UPSTREAM_PATH = {WHM_PASSWD: "/json-api/uapi_cpanel", CP_LIST: "/execute/Ftp/list_ftp",
                 UNMAPPED: "cpanel_jsonapi_func=nothing", API1: "/json-api/version"}


async def one_case(http, state, bases, case):
    fault, service, path, headers, status, expected = case
    state.faults.add(UPSTREAM_PATH[path], fault, times=1, service=service)
    seen = len(state.requests)
    async with http.get(bases[service] + path, headers=headers) as resp:
        body = await resp.read()
        assert resp.status == status, (case, body)
        if isinstance(expected, dict):
            assert (await resp.json(content_type=None)) == expected, case
        elif isinstance(expected, str):
            assert body.decode() == expected, case
        assert b"Sup3r-secret-pw" not in body
    assert len(state.requests) == seen + 1, "sent upstream exactly once, never replayed"


async def test_every_fault_answers_as_defined_and_nothing_leaks(shim):
    state, whm, cpanel = shim
    bases = {"whm": whm, "cpanel": cpanel}

    async def one_round():
        async with aiohttp.ClientSession() as http:
            for case in CASES:
                await one_case(http, state, bases, case)
            # still serving, on both ports
            async with http.get(whm + WHM_PASSWD, headers=ROOT_AUTH) as resp:
                assert resp.status == 200
            async with http.get(cpanel + CP_LIST, headers=USER_AUTH) as resp:
                assert resp.status == 200
        await asyncio.sleep(0.05)

    await one_round()  # warm-up: each pool ends holding one idle upstream connection
    before = descriptors()
    for _ in range(3):
        await one_round()
    assert descriptors() == before


async def test_reset_in_the_middle_of_a_small_passed_through_answer_is_not_made_whole(shim):
    """A small answer is read whole before anything goes out (issue 13, finding 8): one that
    breaks off is a 502, never a 200 with a truncated or empty body."""
    state, whm, _ = shim
    state.faults.add("/json-api/version", "reset", times=1)
    # Bounded: a 200 relayed with the upstream's Content-Length and no body leaves this client
    # waiting for bytes until the shim's keep-alive ends; it must fail in seconds, not at the suite timeout.
    async with asyncio.timeout(3), aiohttp.ClientSession() as http:
        async with http.get(whm + API1, headers=ROOT_AUTH) as resp:
            assert (resp.status, await resp.read()) == (502, b"502 Bad Gateway: upstream is unavailable\n")
        async with http.get(whm + API1, headers=ROOT_AUTH) as resp:
            assert resp.status == 200


async def test_an_endless_passed_through_body_stops_when_the_client_goes(shim):
    """Pass-through answers stream (backups are big); a client that hangs up frees everything."""
    state, whm, _ = shim
    async with aiohttp.ClientSession() as http:  # warm-up
        async with http.get(whm + API1, headers=ROOT_AUTH) as resp:
            await resp.read()
    await asyncio.sleep(0.05)
    before = descriptors()
    for _ in range(3):
        state.faults.add("/json-api/version", "huge_chunked:4096", times=1)
        async with aiohttp.ClientSession() as http:
            async with http.get(whm + API1, headers=ROOT_AUTH) as resp:
                assert resp.status == 200
                received = 0
                async for chunk in resp.content.iter_any():
                    received += len(chunk)
                    if received > 2 * 1024 * 1024:
                        break
    for _ in range(50):  # the shim notices the client is gone, then drops the upstream connection
        await asyncio.sleep(0.02)
        if descriptors() <= before:
            break
    assert descriptors() <= before
    async with aiohttp.ClientSession() as http:
        async with http.get(whm + WHM_PASSWD, headers=ROOT_AUTH) as resp:
            assert resp.status == 200


async def test_an_upstream_that_refuses_connections_leaks_nothing():
    # Port 9 (discard) has no listener here: every connection attempt is refused.
    state, config, listeners = await start_stack({"whm_upstream": "http://127.0.0.1:9"})
    whm = f"http://127.0.0.1:{listeners[0].port}"
    try:
        async def one_round():
            async with aiohttp.ClientSession() as http:
                for _ in range(5):
                    async with http.get(whm + WHM_PASSWD, headers=ROOT_AUTH) as resp:
                        assert (resp.status, await resp.json()) == (502, failed("passwd", "cannot connect to upstream"))
                    async with http.get(whm + API1, headers=ROOT_AUTH) as resp:
                        assert (resp.status, await resp.text()) == (502, UNAVAILABLE)
            await asyncio.sleep(0.05)

        await one_round()
        before = descriptors()
        for _ in range(3):
            await one_round()
        assert descriptors() == before
    finally:
        for listener in listeners:
            await listener.close()
