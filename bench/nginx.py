"""nginx as the fixed-answer upstream and as the `proxy_pass` ceiling, when installed.

Each instance gets its own prefix directory, runs in the foreground with one worker (the
shim's single process is what it is compared with) and logs nothing per request.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .answers import Route

_TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def find_nginx() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def _common(prefix: Path) -> str:
    for name in _TEMP_DIRS:
        (prefix / name).mkdir(parents=True, exist_ok=True)
        # Workers may run as an unprivileged user when the bench runs as root.
        os.chmod(prefix / name, 0o777)
    os.chmod(prefix, 0o755)
    temp = "\n".join(f"  {name}_temp_path {prefix / name};" for name in _TEMP_DIRS)
    return f"""daemon off;
worker_processes 1;
pid {prefix / 'nginx.pid'};
error_log {prefix / 'error.log'} warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
{temp}
"""


def upstream_config(prefix: Path, port: int, routes: list[Route]) -> Path:
    """Fixed answers are files (nginx caps a config string at 4 KiB) reached by an internal rewrite."""
    answers = prefix / "answers"
    answers.mkdir(parents=True, exist_ok=True)
    os.chmod(answers, 0o755)
    by_path: dict[str, list[tuple[str, Route]]] = {}
    for index, route in enumerate(routes):
        name = f"{index}.json"
        (answers / name).write_bytes(route.body)
        os.chmod(answers / name, 0o644)
        by_path.setdefault(route.path, []).append((name, route))
    locations = []
    for path, group in by_path.items():
        lines = []
        for name, route in group:
            if route.arg is None:
                lines.append(f"      rewrite ^ /__answers/{name} last;")
            else:
                arg, value = route.arg
                lines.append(f"      if ($arg_{arg} = {value}) {{ rewrite ^ /__answers/{name} last; }}")
        lines.append("      return 404;")
        locations.append(f"    location = {path} {{\n" + "\n".join(lines) + "\n    }")
    text = _common(prefix) + f"""  default_type application/json;
  server {{
    listen 127.0.0.1:{port};
{chr(10).join(locations)}
    # The static handler refuses POST; an error_page redirect re-enters as GET.
    location /__answers/ {{ internal; alias {answers}/; error_page 405 =200 $uri; }}
    location / {{ return 404; }}
  }}
}}
"""
    path = prefix / "nginx.conf"
    path.write_text(text)
    return path


def proxy_config(prefix: Path, port: int, upstream_port: int) -> Path:
    text = _common(prefix) + f"""  upstream fixed {{
    server 127.0.0.1:{upstream_port};
    keepalive 128;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://fixed;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffer_size 64k;
      proxy_buffers 16 64k;
      proxy_busy_buffers_size 128k;
      proxy_max_temp_file_size 0;
    }}
  }}
}}
"""
    path = prefix / "nginx.conf"
    path.write_text(text)
    return path


def command(nginx: str, prefix: Path, config: Path) -> list[str]:
    return [nginx, "-p", str(prefix), "-c", str(config)]
