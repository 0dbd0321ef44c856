"""Run inside a venv where the ssl-rs wheel is installed: CPython's own ssl,
http.server and urllib.request over our _ssl, on loopback.

Usage: python wheel_smoke.py BACKEND
"""

import http.server
import os
import ssl
import sys
import threading
import urllib.request

import _ssl
import test.test_ssl as t  # the interpreter's certificates (certdata/)

backend = sys.argv[1]
assert os.sep + "ssl_rs" + os.sep in _ssl.__file__, f"the interpreter's own _ssl loaded: {_ssl.__file__}"
assert _ssl._BACKEND == backend, f"built over {_ssl._BACKEND}, expected {backend}"

server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
server_ctx.load_cert_chain(t.SIGNED_CERTFILE)


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello over " + _ssl._BACKEND.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


httpd = http.server.HTTPServer(("127.0.0.1", 0), Hello)
httpd.socket = server_ctx.wrap_socket(httpd.socket, server_side=True)
threading.Thread(target=httpd.serve_forever, daemon=True).start()
port = httpd.server_address[1]

client_ctx = ssl.create_default_context(cafile=t.SIGNING_CA)
url = f"https://localhost:{port}/"
with urllib.request.urlopen(url, context=client_ctx, timeout=10) as r:
    assert r.status == 200, r.status
    body = r.read()
assert body == b"hello over " + backend.encode(), body

# The default context verifies: a CA it does not know is refused.
try:
    urllib.request.urlopen(url, context=ssl.create_default_context(), timeout=10)
except urllib.error.URLError as e:
    assert isinstance(e.reason, ssl.SSLCertVerificationError), repr(e.reason)
else:
    raise AssertionError("an unknown CA was accepted")
httpd.shutdown()
print(f"wheel over {backend}: ssl, http.server and urllib.request work ({ssl.OPENSSL_VERSION})")
