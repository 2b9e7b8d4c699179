"""Drive cassauth's CQL front end with the DataStax Python driver.

Usage: /usr/bin/python3 cqlclient.py SPEC

SPEC is a JSON object:
  host, port       contact point
  protocol         null: the driver's negotiation (0x42, 0x41, then v5 ...);
                   or a protocol version number (4, 1, ...)
  auth             {"kind": "none"|"plain"|"sasl"|"v1", "username", "password",
                    "authzid" (sasl only, optional)}
  ssl              {"mode": "none"|"context"|"legacy", "verify": bool,
                    "check_hostname": bool, "server_hostname": str|null,
                    "ca": path, "cert": path, "key": path}
  statements       [{"cql": str, "prepare": bool, "params": [...]}]

Each case builds the Cluster exactly as the driver's security documentation
does, with ssl.PROTOCOL_TLS_CLIENT instead of PROTOCOL_TLSv1 (see README).
It prints one JSON line: {"ok": true, "protocol_version": n, "results": [...]}
or {"ok": false, "error": {...}}; each result is {"rows": [...]} or
{"error": {"class", "module", "message"}}.
"""

import json
import logging
import ssl
import sys
import uuid
import warnings

from cassandra.auth import PlainTextAuthProvider, SaslAuthProvider
from cassandra.cluster import Cluster, NoHostAvailable
from cassandra.query import dict_factory


def auth_provider(auth):
    kind = auth.get("kind", "none")
    if kind == "none":
        return None
    if kind == "plain":
        return PlainTextAuthProvider(username=auth["username"], password=auth["password"])
    if kind == "sasl":
        kwargs = {"service": "cassandra", "mechanism": "PLAIN",
                  "username": auth["username"], "password": auth["password"]}
        if auth.get("authzid") is not None:
            kwargs["authorization_id"] = auth["authzid"]
        return SaslAuthProvider(**kwargs)
    if kind == "v1":
        def get_credentials(host_address):
            return {"username": auth["username"], "password": auth["password"]}
        return get_credentials
    raise ValueError("unknown auth kind %r" % kind)


def ssl_settings(spec):
    """Returns (ssl_context, ssl_options) for Cluster."""
    mode = spec.get("mode", "none")
    if mode == "none":
        return None, None
    if mode == "legacy":
        # Driver 3.16 and lower: ssl_options only, passed to ssl.wrap_socket.
        opts = {"ca_certs": spec["ca"], "ssl_version": ssl.PROTOCOL_TLS,
                "cert_reqs": ssl.CERT_REQUIRED}
        if spec.get("check_hostname"):
            opts["check_hostname"] = True
        return None, opts
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    # PROTOCOL_TLS_CLIENT turns both checks on; the documentation's cases
    # start from PROTOCOL_TLSv1, where both are off.
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if spec.get("verify"):
        ctx.load_verify_locations(spec["ca"])
        ctx.verify_mode = ssl.CERT_REQUIRED
    if spec.get("check_hostname"):
        ctx.check_hostname = True
    if spec.get("cert"):
        ctx.load_cert_chain(certfile=spec["cert"], keyfile=spec["key"])
    opts = None
    if spec.get("server_hostname"):
        opts = {"server_hostname": spec["server_hostname"]}
    return ctx, opts


def jsonable(v):
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if hasattr(v, "items"):  # OrderedMapSerializedKey
        return {str(k): jsonable(x) for k, x in v.items()}
    if hasattr(v, "__iter__") and not isinstance(v, (str, bytes)):
        return [jsonable(x) for x in v]
    if isinstance(v, (uuid.UUID, bytes)) or not isinstance(v, (str, int, float, bool, type(None))):
        return str(v)
    return v


def describe(e):
    out = {"class": type(e).__name__, "module": type(e).__module__, "message": str(e)}
    if isinstance(e, NoHostAvailable):
        out["errors"] = {str(k): describe(v) for k, v in e.errors.items()}
    return out


def main():
    spec = json.loads(sys.argv[1])
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    warnings.simplefilter("ignore", DeprecationWarning)
    ctx, opts = ssl_settings(spec.get("ssl", {}))
    kwargs = {"port": spec["port"], "auth_provider": auth_provider(spec.get("auth", {})),
              "ssl_context": ctx, "ssl_options": opts, "connect_timeout": 10,
              "control_connection_timeout": 10}
    if spec.get("protocol") is not None:
        kwargs["protocol_version"] = spec["protocol"]
    cluster = Cluster([spec["host"]], **kwargs)
    try:
        session = cluster.connect()
    except Exception as e:  # NoHostAvailable, AuthenticationFailed, ssl.SSLError ...
        print(json.dumps({"ok": False, "error": describe(e)}))
        cluster.shutdown()
        return
    session.row_factory = dict_factory
    results = []
    for st in spec.get("statements", []):
        try:
            if st.get("prepare"):
                rs = session.execute(session.prepare(st["cql"]), st.get("params") or [])
            else:
                rs = session.execute(st["cql"], st.get("params") or None)
            results.append({"rows": [jsonable(r) for r in rs]})
        except Exception as e:
            results.append({"error": describe(e)})
    print(json.dumps({"ok": True, "protocol_version": cluster.protocol_version,
                      "results": results}))
    cluster.shutdown()


if __name__ == "__main__":
    main()
