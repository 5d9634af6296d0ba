"""Translated Fileman functions through the real shim: success and failure, whole documents."""

from conftest import ROOT_AUTH, USER_AUTH

from shim.fakecpanel.modules.fileman import file_tree


def ok(func, data):
    return {"cpanelresult": {"apiversion": 2, "func": func, "data": data, "event": {"result": 1}, "module": "Fileman"}}


def failed(func, reason):
    return {"cpanelresult": {"apiversion": 2, "func": func, "module": "Fileman", "event": {"result": 1},
                             "data": [{"result": 0, "reason": reason}], "error": reason}}


async def api2(stack, func, **args):
    query = {"cpanel_jsonapi_apiversion": "2", "cpanel_jsonapi_module": "Fileman", "cpanel_jsonapi_func": func, **args}
    return await stack.get_json(f"{stack.cpanel}/json-api/cpanel", params=query, headers=USER_AUTH)


async def test_listfiles_lists_dirs_then_files_with_the_legacy_switches(stack):
    got = await api2(stack, "listfiles", dir="public_html", showdotfiles="1", needmime="1", checkleaf="1")
    listed = await stack.uapi_data("Fileman", "list_files", dir="public_html", show_hidden="1", include_mime="1",
                        check_for_leaf_directories="1")
    assert got == (200, ok("listfiles", listed["dirs"] + listed["files"]))
    assert [r["file"] for r in got[1]["cpanelresult"]["data"]] == ["ftpuser", "images", ".htaccess", "index.html"]
    assert await api2(stack, "listfiles", dir="nosuch") == (200, failed("listfiles", "The directory “/home/user/nosuch” does not exist."))


async def test_autocompletedir(stack):
    assert await api2(stack, "autocompletedir", path="public_html/i") == (
        200, ok("autocompletedir", [{"file": "public_html/images"}, {"file": "public_html/index.html"}]))
    assert await api2(stack, "autocompletedir", path="/etc/pa") == (
        200, failed("autocompletedir", "The path “/etc/pa” is outside the home directory."))


async def test_savefile_writes_and_answers_the_legacy_keys(stack):
    form = {"cpanel_jsonapi_user": "user", "cpanel_jsonapi_apiversion": "2", "cpanel_jsonapi_module": "Fileman",
            "cpanel_jsonapi_func": "savefile", "dir": "public_html", "filename": "hello.txt", "content": "héllo\n",
            "charset": "ISO-8859-1"}
    got = await stack.post_json(f"{stack.whm}/json-api/cpanel", data=form, headers=ROOT_AUTH)
    assert got == (200, ok("savefile", [{"path": "/home/user/public_html/hello.txt", "charset": "ISO-8859-1"}]))
    assert file_tree(stack.state.accounts["user"]).nodes["/home/user/public_html/hello.txt"].content == "héllo\n"
    assert stack.state.requests[-1].form["from_charset"] == ["UTF-8"]
    got = await stack.post_json(f"{stack.whm}/json-api/cpanel", data={**form, "charset": "EBCDIC"}, headers=ROOT_AUTH)
    assert got == (200, failed("savefile", "“EBCDIC” is not a supported character set."))


async def test_statfiles_names_files_with_pipes(stack):
    got = await api2(stack, "statfiles", dir="public_html", files="index.html|.htaccess|images")
    listed = await stack.uapi_data("Fileman", "list_files", dir="public_html", show_hidden="1",
                                   only_these_files="index.html,.htaccess,images")
    assert got == (200, ok("statfiles", listed["dirs"] + listed["files"]))
    assert [r["file"] for r in got[1]["cpanelresult"]["data"]] == ["images", ".htaccess", "index.html"]
    assert stack.state.requests[-2].form["only_these_files"] == ["index.html,.htaccess,images"]
    assert await api2(stack, "statfiles", dir="../other", files="x") == (
        200, failed("statfiles", "The path “../other” is outside the home directory."))


async def test_listfiles_keeps_the_filepath_arguments_for_uapi(stack):
    got = await api2(stack, "listfiles", dir="public_html", filelist="1", **{"filepath-A": "index.html"})
    assert [r["file"] for r in got[1]["cpanelresult"]["data"]] == ["index.html"]
