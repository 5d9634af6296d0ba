"""Fileman's path helpers of the old File Manager, from the account's home directory
(UAPI Variables::get_user_information) and cPanel 11.120's path rules, in words:

A directory given (`dir`) is made safe as cPanel did: a leading home-directory prefix is
dropped, the rest is put under the home directory, `.` and `..` segments are removed and
`//` collapsed; an empty `dir` means the home directory. cPanel then resolved symbolic
links on disk and fell back to the home directory for a path that crossed one; the shim
cannot see the disk, so a path with links is answered as written (medium confidence).
"""

from __future__ import annotations

from typing import Any

from shim.recipes.ui import perl_int
from shim.translation.fields import uri_escape
from shim.translation.recipe import Api2Failure, NativeOnly, RecipeCall, cpanel_only, errors_of

MAX_UP = 64  # cPanel climbed at most 64 levels


def safe_dir(home: str, given: str) -> str:
    """The home-relative safe form of `given` (see the module text)."""
    home = home.rstrip("/")
    path = given.replace("\n", "").rstrip("/")
    if path.startswith(home):
        path = path[len(home):]
    parts = [part for part in f"{home}/{path}".split("/") if part not in ("", ".", "..")]
    return "/" + "/".join(parts)


async def _home(call: RecipeCall) -> str:
    info = await call.uapi_data("Variables", "get_user_information", {"name": "home"})
    return str(info.get("home", "")).rstrip("/") if isinstance(info, dict) else ""


async def getdir(call: RecipeCall) -> list[Any]:
    """[{dir}]: the safe form of `dir`, `up` levels higher (never above the home directory),
    percent-encoded as API 2 sent it."""
    home = await _home(call)
    path = safe_dir(home, call.arg("dir")) if call.arg("dir") else home
    up = perl_int(call.arg("up"))
    if up > 0:
        parts = path.split("/")
        del parts[max(len(parts) - min(up, MAX_UP), 0):]
        climbed = "/".join(parts)
        path = home if len(climbed) < len(home) else safe_dir(home, climbed)
    return [{"dir": uri_escape(path)}]


async def getpath(call: RecipeCall) -> list[Any]:
    """[{dirparts: [{dirurl: "/a/", dirpart: "a"}, {dirurl: "/a/b/", dirpart: "b"}], dir}] for
    the safe form of `dir`, its parts below the home directory."""
    home = await _home(call)
    path = safe_dir(home, call.arg("dir")) if call.arg("dir") else home
    below = path[len(home):] if path.startswith(home) else path
    parts, url = [], ""
    for part in below.lstrip("/").split("/"):
        if not part:
            continue
        url += f"{part}/"
        parts.append({"dirurl": f"/{url}", "dirpart": part})
    return [{"dirparts": parts, "dir": path}]


# Fileman::uploadfiles, from cPanel 11.120 (Cpanel/Fileman.pm, Cpanel/API/Fileman.pm,
# Cpanel/Form.pm), in words: the API 2 function was a thin wrapper over UAPI
# Fileman::upload_files. It renamed `getdiskinfo` to `get_disk_info`, handed every other
# argument on (`dir`, `overwrite`, `permissions`), and answered UAPI's `data` as its one row,
# {uploads: [{file, size, status, reason, warnings}], succeeded, warned, failed[, diskinfo]},
# whether or not anything was stored. UAPI's errors became the API 2 `error` with
# `event.result` 1 — "You must specify at least one file to upload." (no file) and "Failed to
# upload any of the requested files with various failures." (every file refused) come with
# that row; an argument refused before any file was looked at (`permissions`) with `[null]`.
# The files were whatever multipart parts had a filename: cPanel's form parser stored each
# one and named it `file-<filename>` itself, and dropped any plain argument named `file-…`.
# UAPI reads the same parts the same way, so the shim sends them on unchanged, once, as
# multipart/form-data to /execute on the cPanel port. WHM API 1's uapi_cpanel hands no upload
# on (cPanel documents that upload_files cannot be called through it): on the WHM port the
# call goes to native API 2 while the upstream serves it, and is unanswerable after.
@cpanel_only
async def uploadfiles(call: RecipeCall) -> list[Any]:
    if call.has_whm:
        raise NativeOnly("Fileman::uploadfiles sends files, which WHM API 1's uapi_cpanel does not take")
    file_fields = {upload.field for upload in call.files}
    args = {name: value for name, value in call.args.items()
            if not name.startswith("file-") and name not in file_fields}
    if "getdiskinfo" in args:
        args["get_disk_info"] = args.pop("getdiskinfo")
    result = await call.uapi("Fileman", "upload_files", args, files=call.files)
    data = result.get("data")
    if str(result.get("status")) != "1":
        raise Api2Failure(errors_of(result), [data])
    return [data]
