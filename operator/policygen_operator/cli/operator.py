"""``policygen operator``: run the controller (kopf's ``run``, with our handlers and settings).

Flags override the ``POLICYGEN_*`` environment, which is how the Helm chart configures the container.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from policygen_operator.cli.main import EXIT_OK, EXIT_USAGE, add_command

if TYPE_CHECKING:
    from policygen_operator.cli.main import Subparsers

HANDLERS = (
    "policygen_operator.handlers.policygeneration",
    "policygen_operator.handlers.rightsizing",
    "policygen_operator.handlers.adminrefs",
)

DESCRIPTION = """\
Reconcile PolicyGeneration resources: scan CloudTrail, write status, ConfigMaps and pull requests.
Settings come from POLICYGEN_* environment variables; flags override them.

Which namespaces are watched is always the admin's explicit choice: --namespace NS (repeatable) or
POLICYGEN_WATCH_NAMESPACES=a,b; every namespace only with --all-namespaces or POLICYGEN_ALL_NAMESPACES=true.
With neither, the operator refuses to start (it never watches the whole cluster by omission). Cluster-scoped
kinds (ClusterRightsizing) are watched either way; their children go only to watched namespaces.
Every setting, status field and metric: docs/operator.md.
"""

EPILOG = """\
exit codes: 0 stopped (SIGTERM or SIGINT), 2 a setting or flag is wrong (the message names it) or no
namespace choice was made.
"""

NO_NAMESPACES = (
    "policygen operator: say which namespaces to watch: --namespace NS (repeatable) or "
    "POLICYGEN_WATCH_NAMESPACES=a,b; or, with cluster-wide RBAC, --all-namespaces or "
    "POLICYGEN_ALL_NAMESPACES=true"
)


def register(subparsers: Subparsers) -> None:
    parser = add_command(subparsers, "operator", DESCRIPTION, EPILOG)
    scope = parser.add_mutually_exclusive_group()
    scope.add_argument(
        "-n",
        "--namespace",
        action="append",
        dest="namespaces",
        metavar="NS",
        help="watch this namespace (repeat for more; kopf glob patterns allowed); default "
        "$POLICYGEN_WATCH_NAMESPACES (comma-separated)",
    )
    scope.add_argument(
        "-A",
        "--all-namespaces",
        action="store_true",
        help="watch every namespace (needs cluster-wide RBAC); default $POLICYGEN_ALL_NAMESPACES",
    )
    parser.add_argument(
        "--liveness",
        metavar="URL",
        help="liveness endpoint; default http://0.0.0.0:$POLICYGEN_LIVENESS_PORT/healthz (8080)",
    )
    parser.add_argument(
        "--max-concurrent-scans",
        type=int,
        metavar="N",
        help="scans running at once (default $POLICYGEN_MAX_CONCURRENT_SCANS or 2)",
    )
    parser.add_argument(
        "--metrics-port",
        type=int,
        metavar="PORT",
        help="Prometheus /metrics port, 0 to disable (default $POLICYGEN_METRICS_PORT or 9090)",
    )
    parser.add_argument(
        "--log-format", choices=["json", "text"], help="default $POLICYGEN_LOG_FORMAT or json"
    )
    parser.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="default $POLICYGEN_LOG_LEVEL or INFO",
    )
    parser.add_argument(
        "--single-tenant",
        action="store_const",
        const=True,
        default=None,
        help="honour inline spec.cloudTrail and spec.output.pullRequest.repository (whoever may create a "
        "PolicyGeneration is then an admin); default $POLICYGEN_SINGLE_TENANT or off",
    )
    parser.set_defaults(func=run)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the Kubernetes object kopf attaches to handler log records."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        ref = getattr(record, "k8s_ref", None)
        if isinstance(ref, dict):
            entry["object"] = {k: ref[k] for k in ("namespace", "name") if ref.get(k)}
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(level: str, fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # aiohttp's access log and kopf's per-watch debug chatter are noise at INFO.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)


def run(args: argparse.Namespace) -> int:
    from policygen_operator.settings import from_env

    try:
        settings = from_env()
    except ValueError as err:
        print(f"policygen operator: {err}", file=sys.stderr)
        return EXIT_USAGE
    # Each of these flags has the name of the setting it overrides.
    overrides: dict[str, Any] = {
        name: getattr(args, name)
        for name in ("max_concurrent_scans", "metrics_port", "log_format", "log_level", "single_tenant")
        if getattr(args, name) is not None
    }
    if args.namespaces:
        overrides.update(namespaces=tuple(args.namespaces), all_namespaces=False)
    elif args.all_namespaces:
        overrides.update(namespaces=(), all_namespaces=True)
    settings = replace(settings, **overrides)
    if not settings.namespaces and not settings.all_namespaces:
        print(NO_NAMESPACES, file=sys.stderr)
        return EXIT_USAGE
    if settings.max_concurrent_scans < 1:
        print("policygen operator: --max-concurrent-scans must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.log_level, settings.log_format)

    import kopf

    # Loaded by name, the way `kopf run -m` loads a module: importing registers the handlers with kopf.
    for module in HANDLERS:
        importlib.import_module(module)
    liveness = args.liveness
    if liveness is None and settings.liveness_port:
        liveness = f"http://0.0.0.0:{settings.liveness_port}/healthz"
    kopf.run(
        standalone=True,  # one replica with strategy Recreate: no peering objects, no peering RBAC
        clusterwide=settings.all_namespaces,
        namespaces=list(settings.namespaces),
        liveness_endpoint=liveness,
        memo=kopf.Memo(app=settings),
    )
    return EXIT_OK
