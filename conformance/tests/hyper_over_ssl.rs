//! HTTPS with hyper 1 over `ssl_api::tokio`, judged by CPython on loopback,
//! for every backend: our hyper client against CPython's `http.server`
//! wrapped by its `ssl` module, and CPython's `urllib.request` against our
//! hyper server. (Also the example of an async HTTPS client and server.)

use std::convert::Infallible;
use std::process::Command;
use std::time::Duration;

use conformance::cases::{client_ctx, server_ctx};
use conformance::net::ChildGuard;
use conformance::pki::Pki;
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Bytes;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use ssl_api::{Backend, SocketOptions};

const STARTUP: Duration = Duration::from_secs(15);

/// CPython's HTTPS server: prints its port, answers one GET.
const PY_HTTPS_SERVER: &str = r#"
import http.server, ssl, sys
cert, key = sys.argv[1:3]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("hello from cpython at " + self.path).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.timeout = 10
print(srv.server_address[1], flush=True)
srv.handle_request()
"#;

/// CPython's HTTPS client: GETs the URL, prints the status and the body.
const PY_URLLIB: &str = r#"
import ssl, sys, urllib.request
url, ca = sys.argv[1:3]
ctx = ssl.create_default_context(cafile=ca)
with urllib.request.urlopen(url, context=ctx, timeout=10) as r:
    print(r.status, r.read().decode(), flush=True)
"#;

fn python(script: &str, args: &[String]) -> ChildGuard {
    let mut cmd = Command::new("python3");
    cmd.arg("-c").arg(script).args(args);
    ChildGuard::spawn(cmd).expect("python3")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Our hyper client over `ssl_api::tokio::connect` against CPython's server.
fn hyper_client_against_cpython<B: Backend>() {
    let pki = Pki::generate();
    let py = python(
        PY_HTTPS_SERVER,
        &[
            pki.server.cert.display().to_string(),
            pki.server.key.display().to_string(),
        ],
    );
    let port: u16 = py
        .line(STARTUP)
        .expect("port")
        .trim()
        .parse()
        .expect("port");
    let ctx = client_ctx::<B>(&pki).expect("client context");
    let body = runtime().block_on(async {
        tokio::time::timeout(Duration::from_secs(30), async {
            let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .expect("connect");
            let tls = ssl_api::tokio::connect(&ctx, SocketOptions::client("localhost"), tcp)
                .await
                .expect("TLS handshake with CPython");
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
                .await
                .expect("HTTP/1.1 handshake");
            tokio::spawn(conn);
            let request = Request::get("/from-hyper")
                .header("Host", "localhost")
                .body(Empty::<Bytes>::new())
                .expect("request");
            let response = sender.send_request(request).await.expect("response");
            assert_eq!(response.status(), 200);
            let bytes = response
                .into_body()
                .collect()
                .await
                .expect("body")
                .to_bytes();
            String::from_utf8(bytes.to_vec()).expect("utf-8")
        })
        .await
        .expect("within 30 s")
    });
    assert_eq!(body, "hello from cpython at /from-hyper", "{}", B::NAME);
}

/// CPython's urllib against our hyper server over `ssl_api::tokio::accept`.
fn cpython_against_hyper_server<B: Backend>() {
    let pki = Pki::generate();
    let ctx = server_ctx::<B>(&pki).expect("server context");
    let rt = runtime();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = rt.spawn(async move {
        let (tcp, _) = listener.accept().await.expect("accept");
        let tls = ssl_api::tokio::accept(&ctx, SocketOptions::server(), tcp)
            .await
            .expect("TLS handshake with CPython");
        let version = tls.version().unwrap_or("none");
        let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
            let body = format!("hello from hyper over {version} at {}", req.uri().path());
            async move { Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(body)))) }
        });
        hyper::server::conn::http1::Builder::new()
            .serve_connection(TokioIo::new(tls), service)
            .await
            .expect("serve");
    });
    let py = python(
        PY_URLLIB,
        &[
            format!("https://localhost:{port}/from-urllib"),
            pki.ca.display().to_string(),
        ],
    );
    let line = py.line(STARTUP).expect("urllib's answer");
    assert!(
        line.starts_with("200 hello from hyper over TLSv1.") && line.ends_with(" at /from-urllib"),
        "{}: {line}",
        B::NAME
    );
    rt.block_on(async { tokio::time::timeout(Duration::from_secs(10), server).await })
        .expect("the server finished")
        .expect("the server task");
}

macro_rules! hyper_tests {
    ($m:ident, $b:ty) => {
        mod $m {
            #[test]
            fn hyper_client_against_cpython() {
                super::hyper_client_against_cpython::<$b>();
            }
            #[test]
            fn cpython_against_hyper_server() {
                super::cpython_against_hyper_server::<$b>();
            }
        }
    };
}

ssl::for_each_backend!(hyper_tests);
