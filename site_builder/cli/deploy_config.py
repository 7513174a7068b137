"""`deploy-config nginx`: the web-server configuration for the built staff and auditor sites
(the configuration itself: site_builder/publish/nginx.py; how to publish: docs/publishing.md)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from site_builder.publish.nginx import ConfigError, Server, nginx_config, standalone_folders


def register_deploy_config(parser) -> None:
    parser.add_argument("server", choices=("nginx",), help="the web server (nginx)")
    parser.add_argument("--staff-root", type=Path, required=True, help="the published staff site folder")
    parser.add_argument("--auditor-root", type=Path, required=True, help="the published auditor site folder")
    parser.add_argument("--staff-listen", required=True, metavar="ADDR:PORT", help="e.g. 0.0.0.0:80 or 127.0.0.1:8080")
    parser.add_argument("--auditor-listen", required=True, metavar="ADDR:PORT", help="e.g. 0.0.0.0:8443")
    parser.add_argument("--htpasswd", type=Path, required=True, metavar="FILE",
                        help="the auditors' password file (outside both sites; see docs/publishing.md)")
    parser.add_argument("--server-name", default="_", help="server_name of both servers (default: any)")
    parser.add_argument("--standalone", type=Path, metavar="PREFIX",
                        help="write a complete nginx.conf with pid, logs and temporary files under PREFIX")
    parser.add_argument("--out", type=Path, metavar="FILE", help="write here (default: standard output)")
    parser.set_defaults(handler=run_deploy_config)


def run_deploy_config(args) -> int:
    staff = Server("staff", args.staff_root, args.staff_listen)
    auditor = Server("auditor", args.auditor_root, args.auditor_listen, args.htpasswd)
    try:
        text = nginx_config(staff, auditor, args.server_name, args.standalone)
    except (ConfigError, OSError) as exc:
        print(f"qms: refused: {exc}; nothing was written", file=sys.stderr)
        return 1
    if args.standalone is not None:
        for folder in standalone_folders(args.standalone):
            folder.mkdir(parents=True, exist_ok=True)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=args.out.parent, prefix=".qms-", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    os.chmod(temporary, 0o644)
    os.replace(temporary, args.out)
    print(f"qms: wrote {args.out}; test it with `nginx -t -c ...`, and regenerate it after every build", file=sys.stderr)
    return 0
