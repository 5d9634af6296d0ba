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
from shim.translation.recipe import RecipeCall

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
