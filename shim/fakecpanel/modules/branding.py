"""UAPI Branding::get_available_applications: the cPanel interface's icons, by group.

A small fixed catalogue in cPanel's layout (`groups`, each with its `items`, plus the
group order and the `implements` and `index` look-ups).
"""

from __future__ import annotations

from ..registry import Args, UapiContext, UapiOutcome, uapi_function

_ITEMS = {
    "email": [("email_accounts", "Email Accounts", "email_accounts/index.html", "Email_Accounts")],
    "files": [("file_manager", "File Manager", "filemanager/index.html", "FileManager_Home"),
              ("ftp_accounts", "FTP Accounts", "ftp/accounts.html", "FTP_Accounts")],
}
_GROUPS = {"email": "Email", "files": "Files"}


def _item(group: str, order: int, key: str, name: str, url: str, implements: str) -> dict[str, str]:
    return {"file": key, "group": group, "imgtype": "icon", "implements": implements, "itemdesc": name,
            "itemorder": str(order), "searchtext": name.lower(), "subtype": "img", "type": "image", "url": url}


@uapi_function("Branding", "get_available_applications", samples=[{}])
def get_available_applications(ctx: UapiContext, args: Args) -> UapiOutcome:
    groups = [
        {"desc": _GROUPS[group], "group": group,
         "items": [_item(group, n, *item) for n, item in enumerate(_ITEMS[group], start=1)]}
        for group in _GROUPS
    ]
    implements = {item["implements"]: item["file"] for g in groups for item in g["items"]}
    index = {item["file"]: [gi, ii] for gi, g in enumerate(groups) for ii, item in enumerate(g["items"])}
    return UapiOutcome.ok({"default_group_order": {g: n for n, g in enumerate(_GROUPS)}, "grouporder": list(_GROUPS),
                           "groups": groups, "implements": implements, "index": index})
