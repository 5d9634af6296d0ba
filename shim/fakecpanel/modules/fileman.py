"""UAPI module Fileman (list_files, get_file_information, autocompletedir, get_file_content,
save_file_content, upload_files) over a small in-memory file tree per account.

Paths may be absolute inside the home directory or relative to it; anything outside the
home directory is refused. Hidden entries (leading dot) are listed only with
show_hidden=1. only_these_files is comma-separated; limit_to_list=1 keeps the names given
as `filepath-*` arguments. list_files answers {dirs, files} as the UAPI description says, each sorted
by name. Error texts are assumed (no live server).

upload_files follows cPanel 11.120 (Cpanel/API/Fileman.pm, Cpanel/Form.pm): the files are
the request's multipart parts with a filename (a second file of the same name becomes
`name-2.ext`), handled in the order of their names; `dir` (created when missing), `overwrite`,
`permissions` (0644 unless given; anything but three octal digits with an optional leading 0
is refused before any file) and `get_disk_info`. Its data is {uploads: [{file, size, status,
reason, warnings}], succeeded, warned, failed[, diskinfo]}, kept on failure too ("You must
specify at least one file to upload.", "Failed to upload any of the requested files with
various failures."). No virus scan; the diskinfo numbers are assumed. What each call received
is kept in `received_uploads(account)` for tests.

Demo seed: public_html/ (index.html, .htaccess, images/), public_html/ftpuser/, mail/,
tmp/ and .bashrc in the home directory.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field

from ..registry import Args, UapiContext, UapiError, UapiOutcome, uapi_function
from ..state import CpanelAccount
from ..wire import UploadedPart

MTIME = 1_713_000_000
DIR_SIZE = 4096
_MIME = {".html": "text/html", ".htaccess": "text/x-generic", ".txt": "text/plain", ".php": "application/x-httpd-php"}
_CHARSETS = ("UTF-8", "ASCII", "ISO-8859-1", "UTF-16")


@dataclass(slots=True)
class Node:
    type: str  # "dir" or "file"
    content: str = ""
    mode: str = "0644"


@dataclass(frozen=True, slots=True)
class ReceivedUpload:
    """What one Fileman::upload_files call received: its arguments and its file parts."""

    args: dict[str, list[str]]
    files: tuple[UploadedPart, ...]


@dataclass(slots=True)
class FileTree:
    nodes: dict[str, Node] = field(default_factory=dict)  # absolute path -> node


def _seed(account: CpanelAccount) -> FileTree:
    home = account.home
    tree = FileTree({home: Node("dir", mode="0711")})
    for rel in ("public_html", "public_html/images", "public_html/ftpuser", "mail", "tmp"):
        tree.nodes[f"{home}/{rel}"] = Node("dir", mode="0755")
    tree.nodes[f"{home}/public_html/index.html"] = Node("file", f"<h1>{account.domain}</h1>\n")
    tree.nodes[f"{home}/public_html/.htaccess"] = Node("file", "Options -Indexes\n")
    tree.nodes[f"{home}/.bashrc"] = Node("file", "# .bashrc\n")
    return tree


def file_tree(account: CpanelAccount) -> FileTree:
    return account.module_state("Fileman", _seed)


def _resolve(account: CpanelAccount, path: str) -> str:
    full = posixpath.normpath(path if path.startswith("/") else f"{account.home}/{path}")
    if full != account.home and not full.startswith(account.home + "/"):
        raise UapiError(f"The path “{path}” is outside the home directory.")
    return full


def _children(tree: FileTree, directory: str) -> list[str]:
    return sorted(p for p in tree.nodes if posixpath.dirname(p) == directory and p != directory)


def _record(account: CpanelAccount, tree: FileTree, path: str, args: Args) -> dict:
    node = tree.nodes[path]
    name = posixpath.basename(path)
    directory = posixpath.dirname(path)
    is_dir = node.type == "dir"
    record = {
        "absdir": directory, "ctime": MTIME, "exists": 1, "file": name, "fullpath": path,
        "gid": account.uid, "humansize": "4 KB" if is_dir else f"{len(node.content.encode())} bytes",
        "isleaf": 0, "isparent": 0, "mode": node.mode, "mtime": MTIME, "nicemode": int(node.mode),
        "path": directory, "read": 1, "size": DIR_SIZE if is_dir else max(1, len(node.content.encode())),
        "type": node.type, "uid": account.uid, "write": 1,
    }
    if is_dir and args.get("check_for_leaf_directories") == "1":
        record["isleaf"] = int(not any(tree.nodes[c].type == "dir" for c in _children(tree, path)))
    if args.get("include_mime") == "1":
        mime = "text/directory" if is_dir else _MIME.get(posixpath.splitext(name)[1] or name, "text/plain")
        record.update(mimetype=mime.replace("/", "-"), mimename=mime, rawmimetype=mime, rawmimename=mime)
    return record


@uapi_function("Fileman", "list_files", samples=[
    {"dir": "public_html", "show_hidden": "1", "include_mime": "1", "check_for_leaf_directories": "1"},
    {"dir": "/home/user/public_html", "only_these_files": "index.html,images"}])
def list_files(ctx: UapiContext, args: Args) -> UapiOutcome:
    tree = file_tree(ctx.account)
    directory = _resolve(ctx.account, args.get("dir", ""))
    if tree.nodes.get(directory, Node("file")).type != "dir":
        raise UapiError(f"The directory “{directory}” does not exist.")
    types = {t for t in args.get("types", "").split("|") if t}
    only = {f for f in args.get("only_these_files", "").split(",") if f}
    if args.get("limit_to_list") == "1":
        # Only the names given as filepath-A, filepath-B... arguments.
        only |= {v for name in args if name.startswith("filepath-") for v in args.getlist(name)}
    dirs, files = [], []
    for path in _children(tree, directory):
        name, node = posixpath.basename(path), tree.nodes[path]
        if name.startswith(".") and args.get("show_hidden") != "1":
            continue
        if (types and node.type not in types) or (only and name not in only):
            continue
        (dirs if node.type == "dir" else files).append(_record(ctx.account, tree, path, args))
    return UapiOutcome.ok({"dirs": dirs, "files": files}, transformed=1)


@uapi_function("Fileman", "get_file_information", samples=[
    {"path": "public_html"}, {"path": "/home/user/public_html/index.html", "include_mime": "1"}])
def get_file_information(ctx: UapiContext, args: Args) -> UapiOutcome:
    """One entry's record, the same fields list_files gives; a missing path is an error."""
    tree = file_tree(ctx.account)
    path = _resolve(ctx.account, args.get("path", ""))
    if path not in tree.nodes:
        raise UapiError(f"The path “{path}” does not exist.")
    return UapiOutcome.ok(_record(ctx.account, tree, path, args))


@uapi_function("Fileman", "autocompletedir", samples=[{"path": "public"}, {"path": "/home/user/pu", "dirsonly": "1"}])
def autocompletedir(ctx: UapiContext, args: Args) -> UapiOutcome:
    tree = file_tree(ctx.account)
    prefix = args.get("path", "")
    if not prefix:
        raise UapiError("You must specify the “path” parameter.")
    full = _resolve(ctx.account, prefix)
    start = full if prefix.endswith("/") else posixpath.dirname(full)
    stem = "" if prefix.endswith("/") else posixpath.basename(full)
    dirs_only = args.get("dirsonly") == "1"
    found = [
        {"file": path if prefix.startswith("/") else posixpath.relpath(path, ctx.account.home)}
        for path in _children(tree, start)
        if posixpath.basename(path).startswith(stem) and (not dirs_only or tree.nodes[path].type == "dir")
    ]
    return UapiOutcome.ok(found)


def _file_argument(ctx: UapiContext, args: Args) -> tuple[str, str]:
    """(directory, file name) of a call's `dir` and `file`."""
    name = args.get("file", "")
    if not name or "/" in name:
        raise UapiError("You must specify a file name without a directory.")
    return _resolve(ctx.account, args.get("dir", ctx.account.home)), name


@uapi_function("Fileman", "get_file_content", samples=[{"dir": "public_html", "file": ".htaccess"}])
def get_file_content(ctx: UapiContext, args: Args) -> UapiOutcome:
    directory, name = _file_argument(ctx, args)
    path = f"{directory}/{name}"
    node = file_tree(ctx.account).nodes.get(path)
    if node is None or node.type != "file":
        raise UapiError(f"The file “{path}” does not exist.")
    return UapiOutcome.ok({"content": node.content, "dir": directory, "filename": name,
                           "from_char": args.get("from_charset", "UTF-8"), "path": path,
                           "to_char": args.get("to_charset", "UTF-8")})


@uapi_function("Fileman", "save_file_content", samples=[{"dir": "public_html", "file": "new.txt", "content": "hi"}])
def save_file_content(ctx: UapiContext, args: Args) -> UapiOutcome:
    tree = file_tree(ctx.account)
    directory, name = _file_argument(ctx, args)
    if tree.nodes.get(directory, Node("file")).type != "dir":
        raise UapiError(f"The directory “{directory}” does not exist.")
    to_charset = args.get("to_charset", "UTF-8")
    if to_charset.upper() not in _CHARSETS:
        raise UapiError(f"“{to_charset}” is not a supported character set.")
    path = f"{directory}/{name}"
    tree.nodes[path] = Node("file", args.get("content", ""))
    return UapiOutcome.ok({"from_charset": args.get("from_charset", "UTF-8"), "path": path, "to_charset": to_charset})


def received_uploads(account: CpanelAccount) -> list[ReceivedUpload]:
    """Every Fileman::upload_files call this account made, in order (for tests)."""
    return account.module_state("Fileman::upload_files", lambda _: [])


_PERMISSIONS = re.compile(r"0?[0-7]{3}\Z")
_UNSAFE_NAME = re.compile(r"[<>;/]")


def _available_name(name: str, taken: set[str]) -> str:
    """cPanel's name for a second upload of the same file: `a.txt`, `a-2.txt`, `a-3.txt`...
    (split on dots the way Perl's split does: trailing empty pieces dropped)."""
    pieces = name.split(".")
    while len(pieces) > 1 and pieces[-1] == "":
        pieces.pop()
    ext = "." + pieces.pop() if len(pieces) > 1 else ""
    stem = ".".join(pieces)
    candidate, counter = f"{stem}{ext}", 1
    while candidate in taken:
        counter += 1
        candidate = f"{stem}-{counter}{ext}"
    return candidate


@uapi_function("Fileman", "upload_files", samples=[
    {"dir": "public_html", "file-0": ("hello.txt", b"hello\n")},
    {"dir": "public_html/new", "overwrite": "1", "permissions": "0600", "file-0": ("a.txt", b"a"),
     "file-1": ("index.html", b"<p>new</p>"), "get_disk_info": "1"}])
def upload_files(ctx: UapiContext, args: Args) -> UapiOutcome:
    uploads = ctx.uploads()
    # A file part is no argument for cPanel's form parser (this fake's form reading makes it one).
    args = args.without(*{upload.field for upload in uploads})
    received_uploads(ctx.account).append(ReceivedUpload(args.as_lists(), uploads))
    permissions = args.get("permissions")
    if permissions is not None and not _PERMISSIONS.match(permissions):
        return UapiOutcome.fail("The parameter ‘permissions’ must contain a valid file system permission.")
    mode = f"0{int(permissions, 8):o}" if permissions is not None else "0644"
    overwrite = args.get("overwrite", "0") not in ("", "0")
    tree = file_tree(ctx.account)
    directory = _resolve(ctx.account, args.get("dir") or ctx.account.home)
    missing = directory
    while missing not in tree.nodes and missing != ctx.account.home:
        tree.nodes[missing] = Node("dir", mode="0755")
        missing = posixpath.dirname(missing)
    named: dict[str, bytes] = {}
    for upload in uploads:
        named[_available_name(upload.filename, set(named))] = upload.data
    rows, succeeded, failed = [], 0, 0
    for name in sorted(named):
        base = re.split(r"[\\/]", name)[-1]
        shown = html.escape(name, quote=True)
        path = f"{directory}/{base}"
        exists = path in tree.nodes
        error = None
        if base in (".", "..") or _UNSAFE_NAME.search(base):
            error = (f"The filename “{html.escape(base, quote=True)}” contains invalid characters. "
                     "Do not include the ,/<>; characters in the filename.")
        elif exists and not overwrite:
            error = f"The file “{shown}” you uploaded already exists."
        if error is not None:
            failed += 1
            rows.append({"file": base, "size": None, "status": 0, "reason": error, "warnings": []})
            continue
        tree.nodes[path] = Node("file", named[name].decode("utf-8", "replace"), mode)
        succeeded += 1
        html_base = html.escape(base, quote=True)
        reason = (f"Upload of “{html_base}” succeeded, overwrote existing file with your upload." if exists
                  else f"Upload of “{html_base}” succeeded.")
        rows.append({"file": base, "size": len(named[name]), "status": 1, "reason": reason, "warnings": []})
    data = {"uploads": rows, "succeeded": succeeded, "warned": 0, "failed": failed}
    if args.get("get_disk_info", "0") not in ("", "0"):
        used = ctx.account.disk_used_bytes + sum(len(content) for content in named.values())
        limit = ctx.account.disk_quota_mb * 1024 * 1024
        data["diskinfo"] = {"spaceused": used, "spacelimit": limit, "spaceremain": max(limit - used, 0) if limit else 0,
                            "filesused": len(tree.nodes), "fileslimit": 0, "filesremain": 0,
                            "file_upload_max_bytes": 0, "file_upload_must_leave_bytes": 5 * 1024 * 1024,
                            "file_upload_remain": 0}
    if not rows:
        return UapiOutcome.fail("You must specify at least one file to upload.", data=data)
    if failed == len(rows):
        return UapiOutcome.fail("Failed to upload any of the requested files with various failures.", data=data)
    return UapiOutcome.ok(data)
