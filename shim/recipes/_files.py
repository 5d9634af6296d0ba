"""Reading one file of the account through UAPI Fileman, for recipes whose API 2 function read
a file itself (DenyIp's .htaccess, MysqlFE's ~/.my.cnf, Email's ~/.filter).

list_files first says whether the file is there — those API 2 functions treated a missing
file as an empty one — then get_file_content reads it. Not named by the table (leading
underscore): a helper of the recipe modules.
"""

from __future__ import annotations

from shim.translation.recipe import RecipeCall


async def file_text(call: RecipeCall, directory: str, name: str) -> str | None:
    """The text of `directory/name` (directory absolute or relative to home), None if absent."""
    listing = await call.uapi_data("Fileman", "list_files", {
        "dir": directory, "show_hidden": 1, "only_these_files": name}, died=True) or {}
    files = listing.get("files") if isinstance(listing, dict) else None
    if not any(isinstance(f, dict) and f.get("file") == name for f in files or []):
        return None
    read = await call.uapi_data("Fileman", "get_file_content", {"dir": directory, "file": name}, died=True)
    return str(read.get("content") or "") if isinstance(read, dict) else ""


async def home_file_text(call: RecipeCall, name: str) -> str | None:
    """The text of a file in the account's home directory, None if absent."""
    info = await call.uapi_data("Variables", "get_user_information", {"name": "home"}, died=True) or {}
    home = str(info.get("home", "")).rstrip("/") if isinstance(info, dict) else ""
    return await file_text(call, home, name)
