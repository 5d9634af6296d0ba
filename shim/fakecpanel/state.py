"""What the fake server knows: accounts, credentials, sessions, FTP data, recorded requests.

One `FakeState` is shared by the WHM app and the cPanel app, the way one cPanel server
answers on both ports. Everything is plain data so tests can inspect and change it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from .eximstats import SentMessage, demo_log
from .faults import FaultScript

VERSION = "11.120.0.5"
HOSTNAME = "server.example.com"
SERVER_IP = "192.0.2.10"

ROOT_USER = "root"
ROOT_PASSWORD = "rootpass"
ROOT_TOKEN = "DEMOROOTTOKEN0123456789"
# Real access hashes are long hex blobs split over lines; clients strip the line breaks.
ROOT_ACCESS_HASH = "0123456789abcdef" * 4

USER = "user"
USER_DOMAIN = "example.com"
USER_HOME = "/home/user"
USER_PASSWORD = "userpass"
USER_TOKEN = "DEMOUSERTOKEN0123456789"

OTHER_USER = "other"
OTHER_DOMAIN = "other.example"
OTHER_HOME = "/home/other"
OTHER_PASSWORD = "otherpass"

FTP_SUB_LOGIN = "ftpuser@example.com"
FTP_SUB_PASSWORD = "ftpuserpass"
FTP_SUB_QUOTA_MB = 50
FTP_SUB_USED_BYTES = 2_453_667  # 2.34 MB: a non-zero usage makes the percent fields meaningful
FTP_SESSION_PID = 6735

MIB = 1024 * 1024

# Service names, used for sessions, faults and recorded requests.
WHM = "whm"
CPANEL = "cpanel"

FTP_TYPES = ("main", "sub", "anonymous", "logaccess")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the fake received it, before any fault, auth or routing."""

    method: str
    path: str  # raw path, including any /cpsess prefix, without the query
    query: dict[str, list[str]]
    form: dict[str, list[str]]  # parsed urlencoded or multipart body; empty if none
    body: bytes
    headers: dict[str, str]  # lower-cased names; repeated headers joined with ", "
    service: str = ""  # "whm" or "cpanel": which app received it


@dataclass(slots=True)
class FtpAccount:
    """One FTP login as `Ftp::list_ftp` shows it (`user` is `name@domain` for sub-accounts)."""

    login: str
    type: str
    homedir: str  # absolute
    password: str | None = None
    password_hash: str | None = None
    quota_mb: int = 0  # 0 = unlimited
    used_bytes: int = 0

    def __post_init__(self) -> None:
        if self.type not in FTP_TYPES:
            raise ValueError(f"FTP account type must be one of {FTP_TYPES}, not {self.type!r}")


@dataclass(slots=True)
class FtpSession:
    pid: int
    user: str
    login: str  # login time, as cPanel prints it
    status: str  # IDLE, DL or UL
    host: str
    file: str = ""
    cmdline: str = ""


@dataclass(slots=True)
class CpanelAccount:
    user: str
    domain: str
    home: str
    password: str
    api_tokens: set[str] = field(default_factory=set)
    email: str = ""
    owner: str = ROOT_USER
    plan: str = "default"
    ip: str = SERVER_IP
    uid: int = 1000
    start_epoch: int = 1_600_000_000
    disk_quota_mb: int = 0  # 0 = unlimited
    disk_used_bytes: int = 0
    suspended: bool = False
    other_domains: list[str] = field(default_factory=list)  # addon/parked domains
    ftp_accounts: dict[str, FtpAccount] = field(default_factory=dict)
    ftp_sessions: list[FtpSession] = field(default_factory=list)
    # State of modules added later, keyed by module name; see `module_state`.
    modules: dict[str, Any] = field(default_factory=dict)

    def module_state(self, module: str, factory: Callable[["CpanelAccount"], T]) -> T:
        """Per-account state of a UAPI module, created from `factory(account)` on first use.

        Lets a module file keep its own data (and its own seed) without touching this file.
        """
        if module not in self.modules:
            self.modules[module] = factory(self)
        return self.modules[module]

    def owns_domain(self, domain: str) -> bool:
        return domain == self.domain or domain in self.other_domains

    def add_ftp(self, account: FtpAccount) -> FtpAccount:
        self.ftp_accounts[account.login] = account
        return account


@dataclass(slots=True)
class WhmUser:
    """A WHM login (root only in the demo seed)."""

    user: str
    password: str
    api_tokens: set[str] = field(default_factory=set)
    access_hash: str | None = None
    acls: frozenset[str] = frozenset({"all"})  # WHM privileges; `all` is root's (a reseller has others)


@dataclass(frozen=True, slots=True)
class Session:
    """A browser-style login: cookie value plus the /cpsessNNNNNNNNNN security token."""

    service: str
    user: str
    cookie: str
    token: str  # the 10 digits after "cpsess"


@dataclass(slots=True)
class FakeState:
    accounts: dict[str, CpanelAccount] = field(default_factory=dict)
    whm_users: dict[str, WhmUser] = field(default_factory=dict)
    version: str = VERSION
    hostname: str = HOSTNAME
    requests: list[RecordedRequest] = field(default_factory=list)
    faults: FaultScript = field(default_factory=FaultScript)
    sessions: dict[tuple[str, str], Session] = field(default_factory=dict)  # (service, cookie) -> session
    # False: cPanel after the removal of API 2 — /json-api/cpanel serves no native API 2 function.
    native_api2: bool = True
    mail_log: list[SentMessage] = field(default_factory=list)  # eximstats' delivery log (eximstats.py)
    mail_log_error: str | None = None  # set: the delivery database fails with this text

    @classmethod
    def demo(cls) -> "FakeState":
        state = cls()
        state.whm_users[ROOT_USER] = WhmUser(
            ROOT_USER, ROOT_PASSWORD, api_tokens={ROOT_TOKEN}, access_hash=ROOT_ACCESS_HASH
        )
        user = state.add_account(
            CpanelAccount(
                USER,
                USER_DOMAIN,
                USER_HOME,
                USER_PASSWORD,
                api_tokens={USER_TOKEN},
                email=f"admin@{USER_DOMAIN}",
                uid=1001,
                disk_quota_mb=1024,
                disk_used_bytes=126_353_408,  # 120.50 MB
            )
        )
        user.add_ftp(
            FtpAccount(
                FTP_SUB_LOGIN,
                "sub",
                f"{USER_HOME}/public_html/ftpuser",
                password=FTP_SUB_PASSWORD,
                quota_mb=FTP_SUB_QUOTA_MB,
                used_bytes=FTP_SUB_USED_BYTES,
            )
        )
        user.ftp_sessions.append(
            FtpSession(
                pid=FTP_SESSION_PID,
                user=FTP_SUB_LOGIN,
                login="Tue Apr 23 16:23:23 2024",
                status="IDLE",
                host="client.example.net",
                file="",
                cmdline="pure-ftpd (IDLE)",
            )
        )
        state.add_account(
            CpanelAccount(
                OTHER_USER,
                OTHER_DOMAIN,
                OTHER_HOME,
                OTHER_PASSWORD,
                email=f"admin@{OTHER_DOMAIN}",
                uid=1002,
                start_epoch=1_650_000_000,
            )
        )
        state.mail_log = demo_log()
        return state

    def add_account(self, account: CpanelAccount) -> CpanelAccount:
        """Register an account with the FTP logins every cPanel account has."""
        self.accounts[account.user] = account
        account.add_ftp(FtpAccount(account.user, "main", account.home, password=account.password))
        account.add_ftp(FtpAccount("ftp", "anonymous", f"{account.home}/public_ftp"))
        account.add_ftp(FtpAccount(f"{account.user}_logs", "logaccess", f"/usr/local/apache/domlogs/{account.user}"))
        return account

    def open_session(self, service: str, user: str) -> Session:
        session = Session(
            service=service,
            user=user,
            cookie=secrets.token_urlsafe(24),
            token=f"{secrets.randbelow(10**10):010d}",
        )
        self.sessions[(service, session.cookie)] = session
        return session

    def requests_to(self, path_part: str) -> list[RecordedRequest]:
        """Recorded requests whose raw path contains `path_part` (a test convenience)."""
        return [r for r in self.requests if path_part in r.path]
