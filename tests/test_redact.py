"""What the logs may keep of a request: pure functions, exact results."""

import base64

from shim.observability.redact import (
    MASK,
    auth_summary,
    cookie_names,
    log_path,
    redact_args,
    redact_value,
    shown_name,
)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_authorization_keeps_scheme_and_user_only():
    cases = {
        "whm root:TOKEN": "whm root",
        "WHM root:ACCESSHASH": "whm root",
        "cpanel user:TOKEN": "cpanel user",
        "webmail bob@example.com:pw": "webmail bob@example.com",
        f"Basic {b64('user:secret')}": "basic user",
        f"Basic {b64('onlysecret')}": "basic",  # no user part: the whole thing is secret
        f"Basic {b64('user:pa:ss')}": "basic user",  # the secret may hold a colon, the user may not
        f"Basic {b64('user:secret')[:4]}!{b64('user:secret')[4:]}": "basic",  # not base64: never decoded
        "whm root:TOK:EN": "whm root",
        'Digest realm="x", response="abc"': "digest",  # no username
        "Basic not-base64!": "basic",
        "Bearer abc.def.ghi": "bearer",
        'Digest username="user", response="abc"': "digest user",
        "whm TOKENWITHOUTUSER": "whm",
        "whm us er:TOKEN": "whm",  # not a user name: dropped rather than guessed
        "TOKENWITHOUTSCHEME": "other",  # a bare token must not pass for a scheme name
        "X-Custom secret": "other",
        "!!!weird secret": "other",
    }
    assert {header: auth_summary(header) for header in cases} == cases
    assert auth_summary(None) is None and auth_summary("") is None


def test_arguments_with_secret_names_are_masked():
    args = {"user": "bob", "pass": "p1", "password": "p2", "newpass": "p3", "oldpass": "p4", "key": "k",
            "api_token": "t", "ssl_private_key": "pk", "accesshash": "h", "domain": "example.com",
            "phrase": "marked", "quota": "10"}
    assert redact_args(args, {"phrase"}) == {
        "user": "bob", "pass": MASK, "password": MASK, "newpass": MASK, "oldpass": MASK, "key": MASK,
        "api_token": MASK, "ssl_private_key": MASK, "accesshash": MASK, "domain": "example.com",
        "phrase": MASK, "quota": "10"}


def test_logged_path_has_no_query_and_no_session_token():
    assert log_path("/cpsess0123456789/json-api/cpanel?pass=x") == f"/cpsess{MASK}/json-api/cpanel"
    assert log_path("/execute/Ftp/list_ftp") == "/execute/Ftp/list_ftp"


def test_cookies_keep_their_names_only():
    assert cookie_names("whostmgrsession=abc; cpsession=def;  timezone=UTC") == [
        "whostmgrsession", "cpsession", "timezone"]
    assert cookie_names("BAREVALUE; a=1") == ["a"]
    assert cookie_names("a=1;b=2") == ["a", "b"]  # no space after the separator
    assert cookie_names("token=YWJj==; x=1") == ["token", "x"]  # a value may hold '='
    assert cookie_names(None) == []


def test_pairs_names_that_are_no_names_and_the_tables_secrets():
    # Pairs as parsed from a form, and a JSON document sent as a body (it reads as one long name).
    assert redact_args([("user", "bob"), ("pass", "p1"), ('{"password": "p2"}', "")]) == {
        "user": "bob", "pass": MASK, "<unparsed name of 18 characters>": MASK}
    assert [shown_name("user"), shown_name("a b")] == ["user", "<unparsed name of 3 characters>"]
    assert [redact_value("phrase", "v", {"phrase"}), redact_value("phrase", "v"), redact_value("a\nb", "v")] == [
        MASK, "v", MASK]
