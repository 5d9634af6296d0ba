"""Translation rules as pure functions: no sockets."""

import pytest

from shim.translation import envelopes
from shim.translation.arguments import TransformError
from shim.translation.mapping import load_table
from shim.translation.recognise import (
    ApiPath,
    LegacyCall,
    api2_path,
    count_fields,
    merge_params,
    parse_form,
    recognise,
    split_path,
    with_whm_account,
)
from shim.translation.translate import (
    UpstreamAnswerError,
    build_uapi_call,
    to_cpanelresult,
    unwrap_whm,
    whm_form,
)

TABLE = load_table()


def call(module, func, **args):
    return LegacyCall(module=module, func=func, user="user", args=args, cpsess="")


@pytest.mark.parametrize(
    "raw, cpsess, path",
    [
        ("/json-api/cpanel", "", "/json-api/cpanel"),
        ("//json-api/cpanel", "", "/json-api/cpanel"),
        ("/json-api/cpanel/", "", "/json-api/cpanel"),
        ("/cpsess0123456789/json-api/cpanel", "/cpsess0123456789", "/json-api/cpanel"),
        ("/cpsess0123456789//json-api//cpanel/", "/cpsess0123456789", "/json-api/cpanel"),
        ("/cpsessX/json-api/cpanel", "", "/cpsessX/json-api/cpanel"),
        ("/cpsess12", "/cpsess12", "/"),
    ],
)
def test_split_path(raw, cpsess, path):
    assert (split_path(raw).cpsess, split_path(raw).path) == (cpsess, path)


def test_recognise_names_and_versions():
    base = {"cpanel_jsonapi_module": "Ftp", "cpanel_jsonapi_func": "passwd", "user": "u", "pass": "p"}
    assert recognise(base, "") == LegacyCall("Ftp", "passwd", None, {"user": "u", "pass": "p"}, "")
    xml = {"cpanel_xmlapi_module": "Ftp", "cpanel_xmlapi_func": "listftp", "cpanel_xmlapi_user": "bob", "api.version": "1"}
    assert recognise(xml, "/cpsess1") == LegacyCall("Ftp", "listftp", "bob", {}, "/cpsess1")
    misspelt = {**base, "cpanel_jsonapi_version": "2"}
    assert recognise(misspelt, "") == LegacyCall("Ftp", "passwd", None, {"user": "u", "pass": "p"}, "")
    assert recognise({**base, "cpanel_jsonapi_apiversion": "3"}, "") is None
    assert recognise({**base, "cpanel_jsonapi_apiversion": "1"}, "") is None
    assert recognise({"cpanel_jsonapi_module": "Ftp"}, "") is None


def test_which_paths_are_api2_calls():
    assert [api2_path(p) for p in ("/json-api/cpanel", "/cpsess1/json-api//cpanel/", "/xml-api/cpanel")] == [
        ApiPath("", "/json-api/cpanel"), ApiPath("/cpsess1", "/json-api/cpanel"), ApiPath("", "/xml-api/cpanel", True)]
    for other in ("/execute/Email/cpanel", "/json-api/version", "/json-api/foo/cpanel", "/json-api/cpanelx", "/"):
        assert api2_path(other) is None, other


def test_the_account_and_version_a_call_names():
    base = {"cpanel_jsonapi_module": "Ftp", "cpanel_jsonapi_func": "passwd", "user": "bob", "pass": "p"}
    assert (recognise({**base, "cpanel_jsonapi_apiversion": "2"}, "").apiversion, recognise(base, "").apiversion) == (
        "2", None)  # WHM wraps its invalid-user answer only when the client sent the 2 itself
    # WHM's rule: without cpanel_jsonapi_user, `user` names the account and leaves the arguments.
    assert with_whm_account(recognise(base, "")) == LegacyCall("Ftp", "passwd", "bob", {"pass": "p"}, "")
    named = recognise({**base, "cpanel_jsonapi_user": "alice"}, "")
    assert with_whm_account(named) == named == LegacyCall("Ftp", "passwd", "alice", {"user": "bob", "pass": "p"}, "")
    assert with_whm_account(recognise({**base, "user": ""}, "")) == LegacyCall("Ftp", "passwd", None, {"pass": "p"}, "")
    no_user = recognise({"cpanel_jsonapi_module": "Ftp", "cpanel_jsonapi_func": "listftp"}, "")
    assert with_whm_account(no_user) is no_user


def test_multipart_parts_as_php_reads_them():
    part = 'Content-Disposition: form-data; name="{}"\r\n{}\r\n{}'
    body = "\r\n".join([
        "--B", part.format("plain", "", "a\r\n\r\nb"),  # a blank line inside a value is kept
        "--B", part.format("qp", "Content-Transfer-Encoding: quoted-printable\r\n", "caf=C3=A9"),
        "--B", part.format("b64", "Content-Transfer-Encoding: base64\r\n", "aGk="),
        "--B", part.format("bad64", "Content-Transfer-Encoding: base64\r\n", "a"),
        "--B", "Content-Type: text/plain\r\n\r\nno name: skipped",
        "--B", "no blank line after the head: skipped",
        "--B", part.format("a:b", "", "colon in the name"),
        "--B--", part.format("after", "", "the epilogue is not a part"),
    ]).encode() + b"\r\n--B\r\n" + part.format("late", "", "").encode()
    bad_utf8 = b'--B\r\nContent-Disposition: form-data; name="n\xff"\r\n\r\nv\xfe\r\n--B--'
    assert parse_form(body, "multipart/form-data; boundary=B") == [
        ("plain", "a\r\n\r\nb"), ("qp", "café"), ("b64", "hi"), ("bad64", ""), ("a:b", "colon in the name")]
    assert parse_form(bad_utf8, 'multipart/form-data; boundary="B"') == [("n\ufffd", "v\ufffd")]
    assert count_fields(bad_utf8, 'multipart/form-data; boundary="B"') == 2  # counted at C speed: an upper bound
    assert count_fields(b"x", "multipart/form-data") == 0  # no boundary: nothing parses


def test_body_wins_over_query_and_forms_in_any_label():
    assert merge_params([("a", "1"), ("b", "1")], [("b", "2")]) == {"a": "1", "b": "2"}
    assert parse_form(b"user=a%40b.c&pass=x+y", "application/octet-stream") == [("user", "a@b.c"), ("pass", "x y")]
    assert parse_form(b"k=%FF", "") == [("k", "\ufffd")]
    multipart = (
        b"--XyZ\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nbob\r\n"
        b"--XyZ\r\nContent-Disposition: form-data; name=\"pass\"\r\n\r\np@ss w\xc3\xb6rd\r\n--XyZ--\r\n"
    )
    assert parse_form(multipart, "multipart/form-data; boundary=XyZ") == [("user", "bob"), ("pass", "p@ss wörd")]


def test_setquota_alias_and_meta_arguments():
    uapi = build_uapi_call(TABLE.lookup("Ftp", "setquota"), call("Ftp", "setquota", user="f", setquota="5", api2_paginate="1", api2_paginate_size="10"), "user")
    assert (uapi.module, uapi.func, uapi.args) == (
        "Ftp", "set_quota", [("user", "f"), ("quota", "5"), ("api.paginate", "1"), ("api.paginate_size", "10")]
    )
    passwd = build_uapi_call(TABLE.lookup("Ftp", "passwd"), call("Ftp", "passwd", user="f", **{"pass": "s"}), "user")
    assert passwd.secret_args == frozenset({"pass"})
    assert whm_form(passwd, "user") == [
        ("api.version", "1"), ("cpanel.user", "user"), ("cpanel.module", "Ftp"), ("cpanel.function", "passwd"),
        ("user", "f"), ("pass", "s"),
    ]


def test_status_shape_success_and_failure():
    entry = TABLE.lookup("Ftp", "passwd")
    ok = {"status": 1, "data": None, "errors": None, "messages": None, "metadata": {}, "warnings": None}
    assert to_cpanelresult("Ftp", "passwd", entry, ok) == {
        "cpanelresult": {"apiversion": 2, "func": "passwd", "data": [{"reason": "OK", "result": 1}], "event": {"result": 1}, "module": "Ftp"}
    }
    failed = {**ok, "status": 0, "errors": ["first", "second"]}
    assert to_cpanelresult("Ftp", "passwd", entry, failed) == {
        "cpanelresult": {
            "apiversion": 2, "func": "passwd", "module": "Ftp", "event": {"result": 1},
            "data": [{"reason": "first\nsecond", "result": 0}], "error": "first\nsecond",
        }
    }
    addftp = TABLE.lookup("Ftp", "addftp")
    assert to_cpanelresult("Ftp", "addftp", addftp, failed)["cpanelresult"]["data"] == [{"result": 0, "reason": ""}]


def test_list_shape_copies_records_and_keeps_paging():
    entry = TABLE.lookup("Ftp", "listftp")
    records = [{"user": "a", "homedir": "/home/u/a", "type": "sub"}]
    result = {"status": 1, "data": records, "metadata": {"paginate": {"total_results": 1}}}
    assert to_cpanelresult("Ftp", "listftp", entry, result) == {
        "cpanelresult": {
            "apiversion": 2, "func": "listftp", "module": "Ftp", "event": {"result": 1},
            "data": records, "paginate": {"total_results": 1},
        }
    }
    assert to_cpanelresult("Ftp", "listftp", entry, {"status": 1, "data": None})["cpanelresult"]["data"] == []


def test_not_a_uapi_result():
    with pytest.raises(UpstreamAnswerError):
        to_cpanelresult("Ftp", "passwd", TABLE.lookup("Ftp", "passwd"), ["not", "a", "result"])
    with pytest.raises(UpstreamAnswerError):
        unwrap_whm({"data": {"uapi": None}, "metadata": {"result": 1}})
    assert unwrap_whm({"metadata": {"result": 0, "reason": "No such user"}}) == (None, "No such user")


def test_transforms_reject_bad_values():
    from shim.translation.arguments import CallContext, account_prefix, bool01, integer

    ctx = CallContext(user="bob")
    assert [bool01("Yes", ctx), bool01("off", ctx), integer("12.9", ctx)] == ["1", "0", "12"]
    assert [account_prefix("db", ctx), account_prefix("bob_db", ctx)] == ["bob_db", "bob_db"]
    with pytest.raises(TransformError, match="expected a yes/no value, not 'maybe'"):
        bool01("maybe", ctx)


def test_fixed_envelopes():
    assert envelopes.access_denied() == {
        "cpanelresult": {"apiversion": "2", "error": "Access denied", "data": {"reason": "Access denied", "result": "0"}, "type": "text"}
    }
    assert envelopes.function_not_found("Test", "test") == {
        "cpanelresult": {"apiversion": 2, "error": "Could not find function 'test' in module 'Test'", "func": "test", "module": "Test"}
    }


def test_pipes_to_commas():
    from shim.translation.arguments import CallContext, pipes_to_commas
    assert pipes_to_commas("a|b||c", CallContext(user=None)) == "a,b,c"


def test_account_of_names_only_a_user_never_a_secret():
    import base64

    from shim.inbound.credentials import account_of

    basic = "Basic " + base64.b64encode(b"bob:p4ss").decode()
    assert [account_of("cpanel bob:TOKEN"), account_of("CPANEL bob:TOKEN"), account_of(basic)] == ["bob", "bob", "bob"]
    assert [account_of("cpanel TOKENONLY"), account_of("Bearer x"), account_of(""), account_of("Basic !!")] == [None] * 4
