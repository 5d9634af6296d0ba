"""An embedded fake cPanel & WHM (cpsrvd) for tests and `python -m shim demo`.

    from shim.fakecpanel import FakeState, create_whm_app, create_cpanel_app
    state = FakeState.demo()          # seeded accounts, credentials, FTP data
    whm_app = create_whm_app(state)   # what WHM (2087) serves
    cp_app = create_cpanel_app(state) # what cPanel (2083) serves
    state.requests                    # every request received, in order (RecordedRequest)
    state.faults.add("/execute/Ftp/passwd", "hang", times=1)   # see faults.py

Both apps share one state, the way one server answers on both ports. Each request goes
through: record → scripted fault → strip /cpsessNNNNNNNNNN → /login → authenticate →
route (pipeline.py).

Demo seed (constants below): WHM `root` (password ROOT_PASSWORD, API token ROOT_TOKEN,
access hash ROOT_ACCESS_HASH); account `user` (example.com, /home/user, USER_PASSWORD,
cPanel API token USER_TOKEN) with FTP logins `user` (main), `ftpuser@example.com` (sub,
public_html/ftpuser, 50 MB), `ftp` (anonymous) and `user_logs` (logaccess), and one
FTP session; account `other` (other.example, OTHER_PASSWORD, no token); a small delivery
log (`state.mail_log`: mail between them and abroad) that WHM API 1 emailtrack_search and
emailtrack_stats read with cPanel's user restriction (eximstats.py; `WhmUser.acls` without
`all` makes a reseller, whose view is every account it owns; `state.mail_log_error` makes
the delivery database fail).

Registry contract (registry.py) — how to add a UAPI module without touching the core:
  * Create `shim/fakecpanel/modules/<module>.py`; every file there is imported by
    `modules.load_all()` when an app is created.
  * Register each function with `@uapi_function("Module", "function", samples=[{…}])`
    on `def f(ctx: UapiContext, args: Args) -> UapiOutcome`. `ctx.account` is the
    CpanelAccount the call runs as, `ctx.state` the FakeState, `ctx.call(...)` runs
    another UAPI function. `args["x"]`/`args.get("x")` give the first value.
  * Return `UapiOutcome.ok(data, **metadata)` or `UapiOutcome.fail("text", ...)`, or
    raise `UapiError("text")` (status 0 with that error, like a cPanel `die`).
  * `samples`: argument sets that must succeed as `user` on a fresh FakeState.demo().
    tests/test_fakecpanel.py calls every registered function with each sample and
    validates the result against the UAPI OpenAPI description; a function with no
    samples fails that test. A function newer than that description (11.125) needs a
    schema written from cPanel's live page in tests/uapi_newer.py instead.
  * Keep per-account module data in `account.module_state("Module", factory)`.
  * Native API 2 functions (answered at /json-api/cpanel without translation) register
    with `@api2_function("Module", "func")` on `def f(ctx, args) -> Api2Outcome(data,
    error=None)`; an `error` makes the document carry `cpanelresult.error`.
`state.native_api2 = False` is cPanel after API 2's removal: /json-api/cpanel answers
every API 2 function with the "Could not find function" document (the end-state tests).
Native API 2 here: all seven Ftp functions (thin wrappers over UAPI, as in cPanel
11.120), `StatsBar::stat` (display=ftpaccounts|diskusage|hostname|cpanelversion; the
same rows as UAPI StatsBar::get_stats) and `SSH::listkeys` (API 2 only in cPanel too).
The AddonDomain, Park, DomainLookup and ZoneEdit::resetzone API 2 functions are native
too (what a pre-11.137 server answers when the shim passes them through), answered from
the same domain state as their 11.137+ UAPI twins (modules/_domains.py).

Decisions where no live server was available (assumed, documented here):
  * Any authentication failure: HTTP 403, `text/plain; charset="utf-8"`, cpsrvd's
    "Access denied" document byte for byte. A wrong Authorization header does not fall
    back to a cookie. Header credentials need no /cpsess prefix; a cookie needs its own.
  * `POST /login`: 301 to `/cpsessNNNNNNNNNN/` with the `whostmgrsession`/`cpsession`
    cookie. Wrong credentials: 401 with the HTML login page reading "Login Attempt
    Failed!" — or, with `login_only=1`, 401 `{"message":"invalid_login","status":0}`
    (success then is 200 JSON with `security_token`). `GET /` without credentials is
    the login page (200); any other unauthenticated path gets the 403 document.
  * UAPI unknown module or function: status 0, "The system could not find the function
    “f” in the module “M”." (cPanel words an unknown *module* differently).
  * On the cPanel port /json-api/<anything but cpanel> is the 403 document (WHM API is
    not reachable with cPanel credentials); /xml-api/* is 404 on both ports; /execute/*
    is 404 on the WHM port.
  * FTP error texts are cPanel's where known (see modules/ftp.py).
  * WHM uapi_cpanel / json-api/cpanel envelopes: see whm_api.py and cpanel_api.py.
  * Every other authenticated path is a small HTML page (the "web UI");
    `POST /upload` answers `{"bytes","content_type","sha256"}` of the raw body.
"""

from .apps import create_cpanel_app, create_whm_app
from .faults import Fault, FaultAction, FaultScript
from .registry import (
    Api2Outcome,
    Api2Registry,
    Args,
    UapiContext,
    UapiError,
    UapiFunction,
    UapiOutcome,
    UapiRegistry,
    api2_function,
    uapi_function,
)
from .state import (
    CPANEL,
    FTP_SESSION_PID,
    FTP_SUB_LOGIN,
    FTP_SUB_PASSWORD,
    FTP_SUB_QUOTA_MB,
    HOSTNAME,
    OTHER_DOMAIN,
    OTHER_HOME,
    OTHER_PASSWORD,
    OTHER_USER,
    ROOT_ACCESS_HASH,
    ROOT_PASSWORD,
    ROOT_TOKEN,
    ROOT_USER,
    USER,
    USER_DOMAIN,
    USER_HOME,
    USER_PASSWORD,
    USER_TOKEN,
    VERSION,
    WHM,
    CpanelAccount,
    FakeState,
    FtpAccount,
    FtpSession,
    RecordedRequest,
    Session,
    WhmUser,
)

__all__ = [
    "CPANEL",
    "FTP_SESSION_PID",
    "FTP_SUB_LOGIN",
    "FTP_SUB_PASSWORD",
    "FTP_SUB_QUOTA_MB",
    "HOSTNAME",
    "OTHER_DOMAIN",
    "OTHER_HOME",
    "OTHER_PASSWORD",
    "OTHER_USER",
    "ROOT_ACCESS_HASH",
    "ROOT_PASSWORD",
    "ROOT_TOKEN",
    "ROOT_USER",
    "USER",
    "USER_DOMAIN",
    "USER_HOME",
    "USER_PASSWORD",
    "USER_TOKEN",
    "VERSION",
    "WHM",
    "Api2Outcome",
    "Api2Registry",
    "Args",
    "CpanelAccount",
    "FakeState",
    "Fault",
    "FaultAction",
    "FaultScript",
    "FtpAccount",
    "FtpSession",
    "RecordedRequest",
    "Session",
    "UapiContext",
    "UapiError",
    "UapiFunction",
    "UapiOutcome",
    "UapiRegistry",
    "WhmUser",
    "api2_function",
    "create_cpanel_app",
    "create_whm_app",
    "uapi_function",
]
