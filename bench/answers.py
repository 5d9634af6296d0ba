"""The scenarios: what the client sends, and the fixed documents the upstream answers.

Every contender gets the same client request and makes at most one upstream request. The
direct upstream, nginx and the bare proxy get API 2 answered by the upstream itself (as a
server that still spoke API 2 would); the shim translates, so the upstream answers it the
UAPI call. Both kinds of answer are fixed bytes, built here once, so the upstream costs the
same for everyone. nginx cannot route on a POST body, so the two translated scenarios use
distinct upstream paths: passwd goes through the WHM listener (`uapi_cpanel`), the list
through the cPanel listener (`/execute/Ftp/list_ftp_with_disk`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

CPSESS = "/cpsess0123456789"
ROOT_AUTH = "whm root:BENCHROOTTOKEN0123456789"
USER_AUTH = "cpanel user:BENCHUSERTOKEN0123456789"
LIST_RECORDS = 1000


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    title: str
    service: str  # the shim listener the client talks to: "whm" or "cpanel"
    path: str  # path and query the client requests (GET)
    authorization: str
    expected: Any  # the document every contender must answer


def _uapi(data: Any) -> dict[str, Any]:
    return {"data": data, "errors": None, "messages": None, "metadata": {}, "status": 1, "warnings": None}


def _whm_uapi(uapi: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"uapi": uapi}, "metadata": {"command": "uapi_cpanel", "reason": "OK", "result": 1, "version": 1}}


def _api2(module: str, func: str, data: list[Any]) -> dict[str, Any]:
    return {"cpanelresult": {"apiversion": 2, "func": func, "data": data, "event": {"result": 1}, "module": module}}


def ftp_records(count: int = LIST_RECORDS) -> list[dict[str, Any]]:
    """Records shaped like the OpenAPI schema of UAPI Ftp::list_ftp_with_disk."""
    records = []
    for i in range(count):
        used = (i * 37) % 500
        records.append(
            {
                "_diskquota": "476.84",
                "_diskused": f"{used}.25",
                "accttype": "sub",
                "deleteable": 1,
                "dir": f"/home/user/public_ftp/ftp{i:04d}",
                "diskquota": "476.84",
                "diskused": f"{used}.25",
                "diskusedpercent": used * 100 // 477,
                "diskusedpercent20": (used * 100 // 477) // 20 * 20,
                "htmldir": f"/home/user/public_html/ftp{i:04d}",
                "humandiskquota": "477 MB",
                "humandiskused": f"{used} MB",
                "login": f"ftp{i:04d}@example.com",
                "reldir": f"public_ftp/ftp{i:04d}",
                "serverlogin": f"ftp{i:04d}@example.com",
            }
        )
    return records


def mysql_user_records(count: int = LIST_RECORDS) -> list[dict[str, Any]]:
    """Records shaped like the OpenAPI schema of UAPI Mysql::list_users."""
    return [
        {"databases": [f"user_db{i:04d}", "user_shared"], "shortuser": f"u{i:04d}", "user": f"user_u{i:04d}"}
        for i in range(count)
    ]


def listusers_records(count: int = LIST_RECORDS) -> list[dict[str, Any]]:
    """API 2 MysqlFE::listusers' records for mysql_user_records(): what the table's derive
    (`each`) and `only` make of them, written out here (not computed by the shim) so the
    bench checks it too."""
    return [
        {
            "user": record["user"],
            "shortuser": record["shortuser"],
            "dblist": [{"user": record["user"], "db": db} for db in record["databases"]],
        }
        for record in mysql_user_records(count)
    ]


VERSION_DOC = {"data": {"version": "11.120.0.5"}, "metadata": {"command": "version", "reason": "OK", "result": 1, "version": 1}}
NOT_FOUND_DOC = {
    "cpanelresult": {
        "apiversion": 2,
        "error": "Could not find function 'nosuchfunc' in module 'Ftp'",
        "func": "nosuchfunc",
        "module": "Ftp",
    }
}


def scenarios() -> list[Scenario]:
    records = ftp_records()
    return [
        Scenario(
            "passwd",
            "translated Ftp::passwd (WHM)",
            "whm",
            f"{CPSESS}/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_apiversion=2"
            "&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=passwd&user=ftpuser&pass=12345luggage",
            ROOT_AUTH,
            _api2("Ftp", "passwd", [{"result": 1, "reason": "OK"}]),
        ),
        Scenario(
            "list1000",
            f"translated Ftp::listftpwithdisk, {LIST_RECORDS} records (cPanel)",
            "cpanel",
            "/json-api/cpanel?cpanel_jsonapi_apiversion=2&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=listftpwithdisk",
            USER_AUTH,
            _api2("Ftp", "listftpwithdisk", records),
        ),
        Scenario(
            "list1000-shaped",
            f"translated MysqlFE::listusers, {LIST_RECORDS} records reshaped (derive each, only; cPanel)",
            "cpanel",
            "/json-api/cpanel?cpanel_jsonapi_apiversion=2&cpanel_jsonapi_module=MysqlFE&cpanel_jsonapi_func=listusers",
            USER_AUTH,
            _api2("MysqlFE", "listusers", listusers_records()),
        ),
        Scenario(
            "whmapi1",
            "pass-through WHM API 1 version",
            "whm",
            "/json-api/version?api.version=1",
            ROOT_AUTH,
            VERSION_DOC,
        ),
        Scenario(
            "reject",
            "rejected unknown function",
            "whm",
            "/json-api/cpanel?cpanel_jsonapi_user=user&cpanel_jsonapi_apiversion=2"
            "&cpanel_jsonapi_module=Ftp&cpanel_jsonapi_func=nosuchfunc",
            ROOT_AUTH,
            NOT_FOUND_DOC,
        ),
    ]


@dataclass(frozen=True, slots=True)
class Mixed:
    """Small calls beside large ones on one process: `small` on `1 - large_share` of the
    connections, `large` on the rest, each load generator reporting its own latencies;
    measured against `small` alone on the same number of connections."""

    name: str
    title: str
    small: str
    large: str
    large_share: float

    def split(self, connections: int) -> tuple[int, int]:
        large = max(1, round(connections * self.large_share))
        return connections - large, large


MIXED = Mixed(
    "mixed",
    "passwd (90% of connections) beside list1000 (10%): passwd's figures, against passwd alone",
    "passwd",
    "list1000",
    0.1,
)


@dataclass(frozen=True, slots=True)
class Route:
    """One fixed answer of the upstream: exact path, optionally one query argument's value."""

    path: str
    body: bytes
    arg: tuple[str, str] | None = None


def upstream_routes() -> list[Route]:
    """What the fast upstream answers; the same table drives nginx and the aiohttp fallback."""
    records = ftp_records()
    by_name = {s.name: s for s in scenarios()}
    routes = [
        # What the shim asks for.
        Route(f"{CPSESS}/json-api/uapi_cpanel", orjson.dumps(_whm_uapi(_uapi(None)))),
        Route("/execute/Ftp/list_ftp_with_disk", orjson.dumps(_uapi(records))),
        Route("/execute/Mysql/list_users", orjson.dumps(_uapi(mysql_user_records()))),
        # What the pass-through contenders forward: the upstream answers API 2 itself.
        Route("/json-api/version", orjson.dumps(VERSION_DOC)),
    ]
    for name in ("passwd", "list1000", "list1000-shaped", "reject"):
        scenario = by_name[name]
        path, _, query = scenario.path.partition("?")
        func = dict(p.split("=", 1) for p in query.split("&"))["cpanel_jsonapi_func"]
        routes.append(Route(path, orjson.dumps(scenario.expected), ("cpanel_jsonapi_func", func)))
    return routes
