"""UAPI DirectoryPrivacy::list_users: the users of a password-protected directory.

Directories are those of the Fileman tree (modules/fileman.py), given absolute inside the
home directory or relative to it. The names come back in the order of the directory's
password file, which is the order they were added. Error texts are assumed.

Demo seed: public_html/images is protected, with users `editor` and `viewer`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import CpanelAccount
from .fileman import _resolve, file_tree

MODULE = "DirectoryPrivacy"


@dataclass(slots=True)
class PrivacyState:
    users: dict[str, list[str]] = field(default_factory=dict)  # absolute directory -> user names


def privacy_state(account: CpanelAccount) -> PrivacyState:
    return account.module_state(MODULE, lambda a: PrivacyState({f"{a.home}/public_html/images": ["editor", "viewer"]}))


@uapi_function(MODULE, "list_users", samples=[{"dir": "public_html/images"}, {"dir": "/home/user/public_html"}])
def list_users(ctx: UapiContext, args: Args) -> UapiOutcome:
    given = args.get("dir", "")
    if not given:
        raise UapiError("You must specify the “dir” parameter.")
    directory = _resolve(ctx.account, given)
    node = file_tree(ctx.account).nodes.get(directory)
    if node is None:
        raise UapiError(f"The directory “{directory}” does not exist.")
    if node.type != "dir":
        raise UapiError(f"“{directory}” is not a directory.")
    return UapiOutcome.ok(list(privacy_state(ctx.account).users.get(directory, [])))
