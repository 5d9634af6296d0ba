"""Not an open proxy, client networks, body caps and the concurrency cap, over real sockets."""

import asyncio

import aiohttp
import pytest
from conftest import ROOT_AUTH, USER_AUTH, raw_exchange, start_stack

PASSWD = "cpanel_jsonapi_user=user&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=user&pass=12345luggage"
ACCESS_DENIED = {"cpanelresult": {"apiversion": "2", "error": "Access denied",
                                  "data": {"reason": "Access denied", "result": "0"}, "type": "text"}}


@pytest.fixture
async def started():
    stacks = []

    async def start(overrides=None):
        state, config, listeners = await start_stack(overrides)
        stacks.append(listeners)
        return state, listeners[0].port, listeners[1].port

    yield start
    for listeners in stacks:
        for listener in listeners:
            await listener.close()


@pytest.mark.parametrize("request_line", [
    b"GET http://evil.example/json-api/version?api.version=1 HTTP/1.1",
    b"GET https://127.0.0.1:2087/json-api/cpanel?" + PASSWD.encode() + b" HTTP/1.1",
    b"CONNECT evil.example:443 HTTP/1.1",
    b"OPTIONS * HTTP/1.1",
])
async def test_proxy_requests_are_refused_and_the_connection_closed(started, request_line):
    state, whm, _ = await started()
    answer = await raw_exchange(whm, request_line + b"\r\nHost: evil.example\r\nAuthorization: whm root:x\r\n\r\n"
                                + b"GET /json-api/version HTTP/1.1\r\nHost: x\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ")
    assert body == b"400 Bad Request: this server is not a proxy\n"
    assert answer.count(b"HTTP/1.1") == 1  # the pipelined request after it was not served
    assert state.requests == []


async def test_host_header_never_chooses_the_upstream(started):
    state, whm, _ = await started()
    answer = await raw_exchange(whm, b"GET //evil.example/json-api/version?api.version=1 HTTP/1.1\r\n"
                                     b"Host: evil.example\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 ")
    # it reached the fake WHM (the only upstream), as a path on it
    assert [(r.path, r.service) for r in state.requests] == [("//evil.example/json-api/version", "whm")]


async def test_client_networks_allow_list(started):
    state, whm, cpanel = await started({"whm_allow": ["192.0.2.0/24", "2001:db8::/32"], "cpanel_allow": ["127.0.0.0/8"]})
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{whm}/json-api/cpanel?{PASSWD}", headers=ROOT_AUTH) as resp:
            assert (resp.status, resp.headers["Connection"], await resp.json(content_type=None)) == (
                403, "close", ACCESS_DENIED)
        assert state.requests == []
        async with http.get(f"http://127.0.0.1:{cpanel}/execute/Ftp/list_ftp", headers=USER_AUTH) as resp:
            assert resp.status == 200  # allowed: it reached upstream
        assert [r.service for r in state.requests] == ["cpanel"]


async def test_declared_bodies_over_the_caps_are_refused_unread(started):
    state, whm, _ = await started({"max_api_body": 1000, "max_passthrough_body": 5000})
    async with aiohttp.ClientSession() as http:
        async with http.post(f"http://127.0.0.1:{whm}/json-api/cpanel?cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd",
                             data=b"user=a&pass=" + b"x" * 2000, headers=ROOT_AUTH) as resp:
            reason = "the request body is too large"
            assert (resp.status, await resp.json()) == (413, {"cpanelresult": {
                "apiversion": 2, "func": "passwd", "module": "Ftp", "data": [],
                "event": {"result": 0, "reason": reason}, "error": reason}})
        async with http.post(f"http://127.0.0.1:{whm}/json-api/restorepkg", data=b"x" * 6000, headers=ROOT_AUTH) as resp:
            assert (resp.status, await resp.text()) == (413, "413 the request body is too large\n")
        # under the pass-through cap (but over the API 2 one) it streams through
        async with http.post(f"http://127.0.0.1:{whm}/json-api/version", data=b"x" * 4000, headers=ROOT_AUTH) as resp:
            assert resp.status == 200
    assert [(r.path, len(r.body)) for r in state.requests] == [("/json-api/version", 4000)]


async def test_a_chunked_upload_over_the_cap_is_cut_off(started):
    state, whm, _ = await started({"max_passthrough_body": 100_000})

    async def chunks():
        for _ in range(40):
            yield b"y" * 10_000

    async with aiohttp.ClientSession() as http:
        async with http.post(f"http://127.0.0.1:{whm}/json-api/restorepkg", data=chunks(), headers=ROOT_AUTH) as resp:
            assert (resp.status, await resp.text()) == (413, "413 the request body is too large\n")
        # and the shim keeps serving
        async with http.get(f"http://127.0.0.1:{whm}/json-api/cpanel?{PASSWD}", headers=ROOT_AUTH) as resp:
            assert resp.status == 200


async def test_over_the_concurrency_cap_gets_an_api2_503_at_once(started):
    state, whm, cpanel = await started({"max_concurrent": 1})
    state.faults.add("/json-api/uapi_cpanel", "delay:0.4", times=1)
    async with aiohttp.ClientSession() as http:
        async def call(base):
            async with http.get(f"http://127.0.0.1:{base}/json-api/cpanel?{PASSWD}", headers=ROOT_AUTH) as resp:
                return resp.status, resp.headers.get("Retry-After"), await resp.json(content_type=None)

        slow = asyncio.create_task(call(whm))
        while not state.faults.fired:
            await asyncio.sleep(0.01)
        reason = "the server is busy; try again shortly"
        busy = (503, "1", {"cpanelresult": {"apiversion": 2, "func": "passwd", "module": "Ftp", "data": [],
                                            "event": {"result": 0, "reason": reason}, "error": reason}})
        assert await call(whm) == busy
        first = await slow
        assert first[0] == 200
        assert (await call(whm))[0] == 200  # the slot is free again


async def test_the_argument_cap_counts_query_and_body_exactly(started):
    state, whm, _ = await started()
    base = f"http://127.0.0.1:{whm}/json-api/cpanel"
    fill = lambda n: "".join(f"&x{i}=1" for i in range(n))  # noqa: E731
    reason = "the request has too many arguments"
    named = (413, {"cpanelresult": {"apiversion": 2, "func": "passwd", "module": "Ftp", "data": [],
                                    "event": {"result": 0, "reason": reason}, "error": reason}})
    unnamed = (413, {"cpanelresult": {"apiversion": 2, "data": [], "event": {"result": 0, "reason": reason},
                                      "error": reason}})
    async with aiohttp.ClientSession() as http:
        async def call(url, body=None):
            async with http.request("POST" if body is not None else "GET", url, data=body, headers={
                    **ROOT_AUTH, "Content-Type": "application/x-www-form-urlencoded"}) as resp:
                return resp.status, await resp.json(content_type=None)

        assert (await call(f"{base}?{PASSWD}{fill(251)}"))[0] == 200  # 256 in the query
        assert (await call(base, (PASSWD + fill(251)).encode()))[0] == 200  # 256 in a body, no query at all
        assert await call(f"{base}?{PASSWD}{fill(251)}", b"y=1") == named  # 257: the names come from the query
        assert await call(f"{base}?{PASSWD}{fill(251)}&z=?") == unnamed  # 257 in the query, one of them after a second "?"
        assert await call(f"{base}?{PASSWD}{fill(300)}") == unnamed  # a query that is itself refused is not parsed


async def test_the_concurrency_cap_counts_every_request_in_progress(started):
    state, whm, _ = await started({"max_concurrent": 2})
    async with aiohttp.ClientSession() as http:
        async def call():
            async with http.get(f"http://127.0.0.1:{whm}/json-api/cpanel?{PASSWD}", headers=ROOT_AUTH) as resp:
                await resp.read()
                return resp.status

        assert [await call() for _ in range(3)] == [200] * 3  # each gave its slot back, no more
        state.faults.add("/json-api/uapi_cpanel", "delay:0.5", times=2)
        slow = [asyncio.create_task(call()) for _ in range(2)]
        while len(state.faults.fired) < 2:
            await asyncio.sleep(0.01)
        assert await call() == 503  # two in progress: the cap of two is reached
        assert await asyncio.gather(*slow) == [200, 200]


async def test_refusals_answer_in_the_form_the_client_called(started):
    state, whm, _ = await started({"whm_allow": ["192.0.2.0/24"]})
    denied = await raw_exchange(whm, b"GET /xml-api/cpanel?a=1?b HTTP/1.1\r\nHost: h\r\n\r\n")
    assert denied.startswith(b"HTTP/1.1 403 ") and b"<cpanelresult>" in denied and b"Access denied" in denied
    state, whm, _ = await started({"max_api_body": 10})
    query = b"cpanel_xmlapi_module=Ftp&cpanel_xmlapi_func=passwd"
    too_large = await raw_exchange(whm, b"POST /xml-api/cpanel?" + query + b" HTTP/1.1\r\nHost: h\r\n"
                                   b"Content-Length: 11\r\n\r\n" + b"a" * 11)
    assert too_large.startswith(b"HTTP/1.1 413 ") and b"<cpanelresult>" in too_large
    assert b"<module>Ftp</module>" in too_large and b"<func>passwd</func>" in too_large
    named_by_xmlapi = await raw_exchange(whm, b"POST /json-api/cpanel?" + query + b" HTTP/1.1\r\nHost: h\r\n"
                                         b"Content-Length: 11\r\n\r\n" + b"a" * 11)
    assert b'"func":"passwd"' in named_by_xmlapi and b'"module":"Ftp"' in named_by_xmlapi
    assert state.requests == []


async def test_a_body_may_follow_its_head_in_pieces_but_never_not_at_all(started):
    state, whm, _ = await started({"body_idle_timeout": 0.5})
    body = PASSWD.encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", whm)
    writer.write(b"POST /json-api/cpanel HTTP/1.1\r\nHost: h\r\nAuthorization: " + ROOT_AUTH["Authorization"].encode()
                 + b"\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n"
                 + b"Content-Length: %d\r\n\r\n" % len(body))
    for piece in (body[:20], body[20:]):
        await asyncio.sleep(0.1)
        writer.write(piece)
    answer = await asyncio.wait_for(reader.read(), 3)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 200 ") and b'"result":1' in answer
    assert dict(state.requests[-1].form)["cpanel.function"] == ["passwd"]
    silent = await raw_exchange(whm, b"POST /json-api/cpanel HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n", 6)
    assert silent.startswith(b"HTTP/1.1 408 ")  # body_idle from the head on, not only between bytes
