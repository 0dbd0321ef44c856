# The judge for vs_cpython.rs: CPython's own ssl module answers the same
# questions the Rust test asks backend-openssl. Reads one JSON object on
# stdin, prints one JSON object {key: answer}.
import json, os, re, ssl, sys, warnings

warnings.simplefilter("ignore")
cfg = json.loads(sys.stdin.read())
D = cfg["dir"]
out = {}


def f(n):
    return os.path.join(D, n)


def err(e):
    if isinstance(e, OSError) and not isinstance(e, ssl.SSLError):
        return {"exc": type(e).__name__}
    # The message: the only argument when there is one (SSLError('x') made by
    # Python code), else str(e) (SSLError(errno, msg) made by _ssl).
    msg = e.args[0] if (len(e.args) == 1 and isinstance(e.args[0], str)) else str(e)
    msg = re.sub(r" \(_ssl\.c:\d+\)$", "", msg)
    d = {"exc": type(e).__name__, "msg": msg}
    if isinstance(e, ssl.SSLCertVerificationError):
        d["verify_code"] = e.verify_code
        d["verify_message"] = e.verify_message
    return d


def res(fn):
    try:
        return {"ok": fn()}
    except Exception as e:  # noqa: BLE001 - every exception is an answer
        return err(e)


def attrs(c):
    return {
        "protocol": int(c.protocol),
        "options": int(c.options),
        "verify_mode": int(c.verify_mode),
        "verify_flags": int(c.verify_flags),
        "check_hostname": c.check_hostname,
        "minimum_version": int(c.minimum_version),
        "maximum_version": int(c.maximum_version),
        "hostname_checks_common_name": c.hostname_checks_common_name,
        "post_handshake_auth": c.post_handshake_auth,
        "session_stats": c.session_stats(),
        "cert_store_stats": c.cert_store_stats(),
        "ciphers": c.get_ciphers(),
    }


for name in ("TLS", "TLS_CLIENT", "TLS_SERVER", "TLSv1", "TLSv1_1", "TLSv1_2"):
    out["defaults/" + name] = attrs(ssl.SSLContext(getattr(ssl, "PROTOCOL_" + name)))
out["default_context/SERVER_AUTH"] = attrs(ssl.create_default_context(ssl.Purpose.SERVER_AUTH))
out["default_context/CLIENT_AUTH"] = attrs(ssl.create_default_context(ssl.Purpose.CLIENT_AUTH))

for i, s in enumerate(cfg["ciphers"]):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)

    def sc(c=c, s=s):
        c.set_ciphers(s)
        return [d["name"] for d in c.get_ciphers()]

    out["set_ciphers/%02d" % i] = res(sc)


def S():
    return ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)


def none(fn):
    def g():
        fn()
        return None
    return g


cert = f("server.pem")
enc = f("server-enc.key")
out["op/chain_mismatch"] = res(none(lambda: S().load_cert_chain(cert, f("client.key"))))
out["op/chain_garbage"] = res(none(lambda: S().load_cert_chain(f("garbage.pem"), f("server.key"))))
out["op/chain_missing"] = res(none(lambda: S().load_cert_chain(f("missing.pem"))))
out["op/chain_key_missing"] = res(none(lambda: S().load_cert_chain(cert, f("missing.key"))))
out["op/chain_key_first"] = res(none(lambda: S().load_cert_chain(f("key-then-cert.pem"))))
out["op/chain_unencrypted_with_password"] = res(none(lambda: S().load_cert_chain(cert, f("server.key"), "x")))


def boom():
    raise ValueError("boom")


for name, pw in [("str", "secret"), ("bytes", b"secret"), ("callable", lambda: "secret"),
                 ("wrong", "wrong"), ("long", "x" * 2000), ("callable_raises", boom)]:
    # (password=None is left out: CPython prompts on the terminal there; this
    # backend never prompts and fails as for a wrong password.)
    out["op/enc_" + name] = res(none(lambda pw=pw: S().load_cert_chain(cert, enc, pw)))


def lvl(cafile=None, capath=None, cadata=None):
    def g():
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        c.load_verify_locations(f(cafile) if cafile else None, f(capath) if capath else None, cadata)
        return c.cert_store_stats()
    return res(g)


def rb(n):
    with open(f(n), "rb") as fh:
        return fh.read()


out["op/lvl_garbage"] = lvl("garbage.pem")
out["op/lvl_missing"] = lvl("missing.pem")
out["op/lvl_ca"] = lvl("ca.pem")
out["op/lvl_ca_and_crl"] = lvl("ca-and-crl.pem")
out["op/lvl_capath"] = lvl(capath="capath")
out["op/lvl_cadata_empty_str"] = lvl(cadata="")
out["op/lvl_cadata_empty_bytes"] = lvl(cadata=b"")
out["op/lvl_cadata_garbage_str"] = lvl(cadata="garbage")
out["op/lvl_cadata_garbage_bytes"] = lvl(cadata=b"garbage")
out["op/lvl_cadata_der"] = lvl(cadata=rb("ca.der") + rb("server.der"))
out["op/lvl_cadata_pem_with_crl"] = lvl(cadata=rb("ca-and-crl.pem").decode())


def twice():
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    c.load_verify_locations(cadata=rb("ca.pem").decode())
    c.load_verify_locations(f("ca.pem"))
    return c.cert_store_stats()


out["op/lvl_cadata_pem_twice"] = res(twice)
c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
for n in ("ca.pem", "other-ca.pem", "server.pem"):
    c.load_verify_locations(f(n))
out["op/get_ca_certs"] = {
    "der": [d.hex() for d in c.get_ca_certs(True)],
    "records": [repr(r) for r in c.get_ca_certs()],
}
out["op/dh_garbage"] = res(none(lambda: S().load_dh_params(f("garbage.pem"))))
out["op/dh_missing"] = res(none(lambda: S().load_dh_params(f("missing.pem"))))
out["op/dh_ok"] = res(none(lambda: S().load_dh_params(f("dh.pem"))))
for curve in ["foo", "prime256v1", "X25519", "secp384r1", "", "X448", "brainpoolP256r1"]:
    out["op/ecdh_" + curve] = res(none(lambda curve=curve: S().set_ecdh_curve(curve)))


def min_on_fixed():
    ssl.SSLContext(ssl.PROTOCOL_TLSv1_2).minimum_version = ssl.TLSVersion.TLSv1_3


out["op/min_on_fixed"] = res(none(min_on_fixed))
c = ssl.SSLContext(ssl.PROTOCOL_TLS)
seen = []
V = ssl.TLSVersion
for v, mx in [(V.SSLv3, False), (V.MINIMUM_SUPPORTED, True), (V.MAXIMUM_SUPPORTED, False),
              (V.MINIMUM_SUPPORTED, False), (V.MAXIMUM_SUPPORTED, True), (V.TLSv1_3, True), (V.TLSv1_1, False)]:
    def setv(v=v, mx=mx):
        if mx:
            c.maximum_version = v
        else:
            c.minimum_version = v
    seen.append([res(none(setv)), int(c.minimum_version), int(c.maximum_version)])
out["op/versions_readback"] = seen


def cert_none():
    ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).verify_mode = ssl.CERT_NONE


out["op/cert_none_with_check_hostname"] = res(none(cert_none))
c = ssl.SSLContext(ssl.PROTOCOL_TLS)
c.check_hostname = True
out["op/check_hostname_switches_mode"] = [int(c.verify_mode), c.check_hostname]
c = ssl.SSLContext(ssl.PROTOCOL_TLS)
c.options = c.options & ~ssl.OP_NO_COMPRESSION
a = int(c.options)
c.options |= ssl.OP_NO_TICKET | ssl.OP_NO_TLSv1_3
b = int(c.options)
c.options = 0
out["op/options_readback"] = [a, b, int(c.options)]
c = ssl.SSLContext(ssl.PROTOCOL_TLS)
c.verify_flags = ssl.VERIFY_CRL_CHECK_CHAIN | ssl.VERIFY_X509_STRICT | ssl.VERIFY_X509_PARTIAL_CHAIN
a = int(c.verify_flags)
c.verify_flags = ssl.VERIFY_DEFAULT
out["op/verify_flags_readback"] = [a, int(c.verify_flags)]
out["op/alpn_empty"] = res(none(lambda: ssl.SSLContext(ssl.PROTOCOL_TLS).set_alpn_protocols([""])))


def sni_on_client():
    ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).sni_callback = lambda *a: None


out["op/sni_on_client"] = res(none(sni_on_client))
out["op/default_verify_paths"] = list(ssl.get_default_verify_paths())
out["op/version_constants"] = [
    ssl.OPENSSL_VERSION, ssl.OPENSSL_VERSION_NUMBER, list(ssl.OPENSSL_VERSION_INFO),
    ssl.CHANNEL_BINDING_TYPES, ssl.HAS_ALPN, ssl.HAS_ECDH, ssl.HAS_SNI, ssl.HAS_NPN,
    ssl.HAS_SSLv2, ssl.HAS_SSLv3, ssl.HAS_TLSv1, ssl.HAS_TLSv1_1, ssl.HAS_TLSv1_2,
    ssl.HAS_TLSv1_3, ssl.HAS_NEVER_CHECK_COMMON_NAME]
ssl.RAND_add(b"abc", 1.5)
out["op/rand"] = [len(ssl.RAND_bytes(16)), ssl.RAND_status(), ssl.RAND_pseudo_bytes(8)[1], True]


# ------------------------------------------------------------ handshakes

def ctx(p):
    return ssl.SSLContext(p)


def server(name):
    s = ctx(ssl.PROTOCOL_TLS_SERVER)
    s.load_cert_chain(f(name + ".pem"), f(name + ".key"))
    return s


def client():
    c = ctx(ssl.PROTOCOL_TLS_CLIENT)
    c.load_verify_locations(f("ca.pem"))
    return c


BIOS = {}


def wrap(c, s, host, session=None):
    bios = [ssl.MemoryBIO() for _ in range(4)]
    a = c.wrap_bio(bios[0], bios[1], server_hostname=host, session=session)
    b = s.wrap_bio(bios[2], bios[3], server_side=True)
    BIOS[id(a)] = (bios[0], bios[1], a)
    BIOS[id(b)] = (bios[2], bios[3], b)
    return a, b


def incoming(o):
    return BIOS[id(o)][0]


def xfer(x, y):
    data = BIOS[id(x)][1].read()
    if data:
        incoming(y).write(data)


def drive(a, b):
    r = [None, None]
    for _ in range(10):
        for i, o in enumerate((a, b)):
            if r[i] is None:
                try:
                    o.do_handshake()
                    r[i] = {"ok": None}
                except ssl.SSLWantReadError:
                    pass
                except Exception as e:  # noqa: BLE001
                    r[i] = err(e)
        xfer(a, b)
        xfer(b, a)
    return [x if x is not None else {"exc": "SSLWantReadError"} for x in r]


def read_res(o, n):
    try:
        return {"ok": o.read(n).hex()}
    except Exception as e:  # noqa: BLE001
        return err(e)


def triple(t):
    return list(t) if t else None


def facts(a, b):
    ca, cb = a.get_channel_binding("tls-unique"), b.get_channel_binding("tls-unique")
    sp, cp = b.getpeercert(), a.getpeercert()
    return {
        "version": [a.version(), b.version()],
        "cipher": [triple(a.cipher()), triple(b.cipher())],
        "alpn": [a.selected_alpn_protocol(), b.selected_alpn_protocol()],
        "shared_ciphers": [list(t) for t in b.shared_ciphers()] if b.shared_ciphers() is not None else None,
        "client_shared_ciphers": a.shared_ciphers() is None,
        "reused": [a.session_reused, b.session_reused],
        "tls_unique_equal": ca == cb,
        "tls_unique_len": len(ca) if ca is not None else None,
        "compression": [a.compression(), b.compression()],
        "server_peercert": repr(sp) if sp is not None else None,
        "client_peercert": repr(cp) if cp is not None else None,
        "pending": [a.pending(), b.pending()],
    }


def handshake(c, s, host):
    a, b = wrap(c, s, host)
    ra, rb_ = drive(a, b)
    o = {"client": ra, "server": rb_}
    if "ok" in ra and "ok" in rb_:
        o["facts"] = facts(a, b)
    return o


out["hs/ok_tls13"] = handshake(client(), server("server"), "localhost")
c12 = client()
c12.maximum_version = ssl.TLSVersion.TLSv1_2
out["hs/ok_tls12"] = handshake(c12, server("server"), "localhost")
out["hs/ip_ok"] = handshake(client(), server("server"), "127.0.0.1")
out["hs/ip_mismatch"] = handshake(client(), server("server"), "127.0.0.2")
other = ctx(ssl.PROTOCOL_TLS_CLIENT)
other.load_verify_locations(f("other-ca.pem"))
out["hs/unknown_ca"] = handshake(other, server("server"), "localhost")
out["hs/hostname_mismatch"] = handshake(client(), server("wrong"), "localhost")
out["hs/expired"] = handshake(client(), server("expired"), "localhost")
out["hs/self_signed"] = handshake(client(), server("selfsigned"), "localhost")
no_check = client()
no_check.check_hostname = False
out["hs/no_check_hostname"] = handshake(no_check, server("wrong"), "localhost")
cert_none = ctx(ssl.PROTOCOL_TLS_CLIENT)
cert_none.check_hostname = False
cert_none.verify_mode = ssl.CERT_NONE
out["hs/cert_none"] = handshake(cert_none, server("selfsigned"), "localhost")
req = server("server")
req.verify_mode = ssl.CERT_REQUIRED
req.load_verify_locations(f("ca.pem"))
out["hs/client_cert_missing"] = handshake(client(), req, "localhost")
with_cert = client()
with_cert.load_cert_chain(f("client.pem"), f("client.key"))
out["hs/client_cert_ok"] = handshake(with_cert, req, "localhost")
opt = server("server")
opt.verify_mode = ssl.CERT_OPTIONAL
out["hs/client_cert_optional_untrusted"] = handshake(with_cert, opt, "localhost")
out["hs/no_server_cert"] = handshake(client(), ctx(ssl.PROTOCOL_TLS_SERVER), "localhost")
s13 = server("server")
s13.minimum_version = ssl.TLSVersion.TLSv1_3
out["hs/version_mismatch"] = handshake(c12, s13, "localhost")
for name, v, sec0 in [("tls10_default", V.TLSv1, False), ("tls10_seclevel0", V.TLSv1, True),
                      ("tls11_seclevel0", V.TLSv1_1, True)]:
    c = client()
    sv = server("server")
    for x in (c, sv):
        x.minimum_version = v
        x.maximum_version = v
        if sec0:
            x.set_ciphers("DEFAULT:@SECLEVEL=0")
    out["hs/" + name] = handshake(c, sv, "localhost")
for name, dh in [("dhe_without_params", False), ("dhe_with_params", True)]:
    c = client()
    c.load_verify_locations(f("rsa.pem"))
    c.maximum_version = V.TLSv1_2
    c.set_ciphers("DHE+AESGCM")
    sv = server("rsa")
    sv.set_ciphers("DHE+AESGCM")
    if dh:
        sv.load_dh_params(f("dh.pem"))
    out["hs/" + name] = handshake(c, sv, "localhost")
alpn_s = server("server")
alpn_s.set_alpn_protocols(["h2", "http/1.1"])
alpn_c = client()
alpn_c.set_alpn_protocols(["http/1.1", "h2"])
out["hs/alpn_overlap"] = handshake(alpn_c, alpn_s, "localhost")
alpn_x = client()
alpn_x.set_alpn_protocols(["spdy/3"])
out["hs/alpn_none"] = handshake(alpn_x, alpn_s, "localhost")
sni = server("server")
sni.sni_callback = lambda sock, name, c: ssl.ALERT_DESCRIPTION_UNRECOGNIZED_NAME
out["hs/sni_alert"] = handshake(client(), sni, "localhost")
sni.sni_callback = lambda sock, name, c: ssl.ALERT_DESCRIPTION_ACCESS_DENIED
out["hs/sni_alert_access_denied"] = handshake(client(), sni, "localhost")


def raises(sock, name, c):
    raise ValueError("boom")


sni.sni_callback = raises
_hook = sys.unraisablehook
sys.unraisablehook = lambda *a: None
out["hs/sni_raises"] = handshake(client(), sni, "localhost")
target = server("wrong")


def swap(sock, name, c):
    sock.context = target


sni.sni_callback = swap
out["hs/sni_swap"] = handshake(no_check, sni, "localhost")
sys.unraisablehook = _hook
crl_c = client()
crl_c.verify_flags |= ssl.VERIFY_CRL_CHECK_LEAF
out["hs/crl_missing"] = handshake(crl_c, server("server"), "localhost")
crl_c.load_verify_locations(f("crl.pem"))
out["hs/crl_revoked"] = handshake(crl_c, server("revoked"), "localhost")
out["hs/crl_good"] = handshake(crl_c, server("server"), "localhost")

_a, b = wrap(client(), server("server"), "localhost")
incoming(b).write(b"GET / HTTP/1.0\r\n\r\n")
out["hs/http_to_server"] = res(b.do_handshake)
a, _b = wrap(client(), server("server"), "localhost")
try:
    a.do_handshake()
except ssl.SSLError:
    pass
incoming(a).write(b"HTTP/1.0 400 Bad Request\r\n\r\n")
out["hs/http_to_client"] = res(a.do_handshake)

a, b = wrap(client(), server("server"), "localhost")
drive(a, b)
steps = [res(a.unwrap)]
xfer(a, b)
steps.append(read_res(b, 16))
steps.append(res(lambda: b.write(b"x")))
steps.append(res(b.unwrap))
xfer(b, a)
steps.append(read_res(a, 16))
steps.append(res(a.unwrap))
steps.append(read_res(a, 16))
steps.append(read_res(b, 16))
out["io/close_sequence"] = steps
a, b = wrap(client(), server("server"), "localhost")
drive(a, b)
incoming(b).write_eof()
out["io/truncated"] = read_res(b, 16)
a, b = wrap(client(), server("server"), "localhost")
out["io/before_handshake"] = [a.version(), a.cipher() is None, a.get_channel_binding("tls-unique"),
                              read_res(b, 4), res(lambda: a.getpeercert(True) and None)]
drive(a, b)
a.write(b"hello world")
xfer(a, b)
first = read_res(b, 5)
out["io/pending"] = [first, b.pending(), read_res(b, 100)]

for name, mx in [("tls13", V.TLSv1_3), ("tls12", V.TLSv1_2)]:
    c = client()
    c.maximum_version = mx
    sv = server("server")
    a, b = wrap(c, sv, "localhost")
    drive(a, b)
    b.write(b"hello")
    xfer(b, a)
    read_res(a, 5)
    sess = a.session
    first = [sess.has_ticket, sess.timeout, sess.ticket_lifetime_hint, len(sess.id)]
    a2, b2 = wrap(c, sv, "localhost", session=sess)
    r = drive(a2, b2)
    other_ctx = client()
    out["session/" + name] = {
        "first": first,
        "second": r,
        "reused": [a2.session_reused, b2.session_reused],
        "other_context": res(none(lambda: other_ctx.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(),
                                                             server_hostname="localhost", session=sess))),
        "client_stats": c.session_stats(),
        "server_stats": sv.session_stats(),
    }

c = client()
c.load_cert_chain(f("client.pem"), f("client.key"))
c.post_handshake_auth = True
sv = server("server")
sv.verify_mode = ssl.CERT_REQUIRED
sv.load_verify_locations(f("ca.pem"))
sv.post_handshake_auth = True
a, b = wrap(c, sv, "localhost")
steps = drive(a, b)
steps.append(b.getpeercert() is not None)
steps.append(res(b.verify_client_post_handshake))
steps.append(res(lambda: b.write(b"ping")))
xfer(b, a)
steps.append(read_res(a, 4))
xfer(a, b)
steps.append(read_res(b, 4))
p = b.getpeercert()
steps.append(repr(p) if p is not None else None)
out["hs/post_handshake_auth"] = steps

sys.stdout.write(json.dumps(out))
