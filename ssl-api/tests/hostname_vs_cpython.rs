//! `match_hostname` (F8) compared with CPython 3.11's `ssl.match_hostname`
//! on the cases of CPython's own `test_match_hostname` and a grid of
//! certificates x hostnames (wildcards, IDN A-labels, IPv4/IPv6, trailing dots,
//! case, NUL, non-ASCII).

mod common;

use common::{run_python, Tally};
use serde_json::{json, Value as Json};
use ssl_api::{match_hostname, CertRecord, PyValue};

/// A certificate as an ordered list of (key, JSON value) pairs.
type Cert = Vec<(&'static str, Json)>;

fn record(cert: &Cert) -> CertRecord {
    let mut rec = CertRecord::empty();
    for (k, v) in cert {
        rec.push(*k, PyValue::from_json(v).expect("test value"));
    }
    rec
}

fn cn(name: &str) -> Cert {
    vec![("subject", json!([[["commonName", name]]]))]
}

fn san(entries: &[(&str, &str)]) -> Cert {
    vec![(
        "subjectAltName",
        Json::Array(entries.iter().map(|(k, v)| json!([k, v])).collect()),
    )]
}

fn san_cn(entries: &[(&str, &str)], name: &str) -> Cert {
    let mut c = cn(name);
    c.extend(san(entries));
    c
}

fn idna(s: &str) -> &'static str {
    // A-labels of the names CPython's test uses ('püthon', 'pythön', 'www*.pythön').
    match s {
        "püthon.python.org" => "xn--pthon-kva.python.org",
        "www*.pythön.org" => "www*.xn--pythn-mua.org",
        "www.pythön.org" => "www.xn--pythn-mua.org",
        "www1.pythön.org" => "www1.xn--pythn-mua.org",
        "ftp.pythön.org" => "ftp.xn--pythn-mua.org",
        "pythön.org" => "xn--pythn-mua.org",
        _ => unreachable!("no A-label for {s}"),
    }
}

/// The cases of CPython's `BasicSocketTests.test_match_hostname` (3.7+).
fn cpython_cases() -> Vec<(Cert, String)> {
    let mut v: Vec<(Cert, String)> = Vec::new();
    let mut add = |c: &Cert, hosts: &[&str]| {
        for h in hosts {
            v.push((c.clone(), (*h).to_owned()));
        }
    };
    add(
        &cn("example.com"),
        &[
            "example.com",
            "ExAmple.cOm",
            "www.example.com",
            ".example.com",
            "example.org",
            "exampleXcom",
        ],
    );
    add(
        &cn("*.a.com"),
        &["foo.a.com", "bar.foo.a.com", "a.com", "Xa.com", ".a.com"],
    );
    add(
        &cn("f*.com"),
        &["foo.com", "f.com", "bar.com", "foo.a.com", "bar.foo.com"],
    );
    add(
        &cn("null.python.org\0example.org"),
        &[
            "null.python.org\0example.org",
            "example.org",
            "null.python.org",
        ],
    );
    add(
        &cn("*.*.a.com"),
        &["bar.foo.a.com", "a.com", "Xa.com", ".a.com"],
    );
    add(&cn("a.*.com"), &["a.foo.com", "a..com", "a.com"]);
    let i = idna("püthon.python.org");
    add(&cn(i), &[i]);
    add(&cn("x*.python.org"), &[i]);
    add(&cn("xn--p*.python.org"), &[i]);
    add(
        &cn(idna("www*.pythön.org")),
        &[
            idna("www.pythön.org"),
            idna("www1.pythön.org"),
            idna("ftp.pythön.org"),
            idna("pythön.org"),
        ],
    );
    let mut linuxfr = vec![
        ("notAfter", json!("Jun 26 21:41:46 2011 GMT")),
        ("subject", json!([[["commonName", "linuxfrz.org"]]])),
    ];
    linuxfr.extend(san(&[
        ("DNS", "linuxfr.org"),
        ("DNS", "linuxfr.com"),
        ("othername", "<unsupported>"),
    ]));
    add(
        &linuxfr,
        &[
            "linuxfr.org",
            "linuxfr.com",
            "<unsupported>",
            "linuxfrz.org",
        ],
    );
    let google = vec![
        ("notAfter", json!("Dec 18 23:59:59 2011 GMT")),
        (
            "subject",
            json!([
                [["countryName", "US"]],
                [["stateOrProvinceName", "California"]],
                [["localityName", "Mountain View"]],
                [["organizationName", "Google Inc"]],
                [["commonName", "mail.google.com"]]
            ]),
        ),
    ];
    add(&google, &["mail.google.com", "gmail.com", "California"]);
    let ipv4 = san_cn(
        &[
            ("DNS", "example.com"),
            ("IP Address", "10.11.12.13"),
            ("IP Address", "14.15.16.17"),
        ],
        "example.com",
    );
    add(
        &ipv4,
        &["10.11.12.13", "14.15.16.17", "14.15.16.18", "example.net"],
    );
    let ipv6 = san_cn(
        &[
            ("DNS", "example.com"),
            ("IP Address", "2001:0:0:0:0:0:0:CAFE\n"),
            ("IP Address", "2003:0:0:0:0:0:0:BABA\n"),
        ],
        "example.com",
    );
    add(
        &ipv6,
        &["2001::cafe", "2003::baba", "2003::bebe", "example.net"],
    );
    let no_cn = vec![
        ("notAfter", json!("Dec 18 23:59:59 2011 GMT")),
        (
            "subject",
            json!([
                [["countryName", "US"]],
                [["stateOrProvinceName", "California"]],
                [["localityName", "Mountain View"]],
                [["organizationName", "Google Inc"]]
            ]),
        ),
    ];
    add(&no_cn, &["mail.google.com"]);
    let othername_cn = vec![
        ("notAfter", json!("Dec 18 23:59:59 2099 GMT")),
        (
            "subject",
            json!([
                [["countryName", "US"]],
                [["stateOrProvinceName", "California"]],
                [["localityName", "Mountain View"]],
                [["commonName", "mail.google.com"]]
            ]),
        ),
        ("subjectAltName", json!([["othername", "blabla"]])),
    ];
    add(&othername_cn, &["mail.google.com"]);
    let mut othername_no_cn = no_cn.clone();
    othername_no_cn.push(("subjectAltName", json!([["othername", "blabla"]])));
    add(&othername_no_cn, &["google.com"]);
    add(&Vec::new(), &["example.com"]);
    add(&cn("a*b.example.com"), &["axxb.example.com"]);
    add(&cn("www.*.example.com"), &["www.sub.example.com"]);
    add(&cn("a*b*.example.com"), &["axxbxxc.example.com"]);
    add(&cn("*"), &["host"]);
    add(&cn("*.com"), &["com"]);
    v
}

/// Certificates of the grid.
fn grid_certs() -> Vec<Cert> {
    let mut certs: Vec<Cert> = [
        "example.com",
        "ExAmPlE.CoM",
        "example.com.",
        "*.example.com",
        "*.EXAMPLE.com",
        "*.example.com.",
        "*.",
        "*",
        "**.example.com",
        "w*.example.com",
        "*w.example.com",
        "www.*.com",
        "www.example.*",
        "*.*",
        "xn--*.example.com",
        "*.xn--pythn-mua.org",
        "xn--pythn-mua.org",
        "",
        ".",
        "127.0.0.1",
        "::1",
        "bücher.de",
        "*.ΣΊΣΥΦΟΣ.gr",
        "İstanbul.tr",
        "null\0.example.com",
        "é'\"\\\t.com",
    ]
    .iter()
    .map(|n| cn(n))
    .collect();
    certs.push(san(&[("DNS", "example.com")]));
    certs.push(san(&[("DNS", "*.example.com"), ("DNS", "example.com")]));
    certs.push(san(&[("DNS", "a.example.com"), ("DNS", "*.*.example.com")]));
    certs.push(san(&[("DNS", "example.org"), ("DNS", "f*.example.com")]));
    certs.push(san(&[("DNS", "")]));
    certs.push(san(&[("IP Address", "127.0.0.1")]));
    certs.push(san(&[("IP Address", "127.0.0.1\n")]));
    certs.push(san(&[("IP Address", "0:0:0:0:0:0:0:1\n")]));
    certs.push(san(&[("IP Address", "2001:DB8:0:0:0:0:0:1\n")]));
    certs.push(san(&[("IP Address", "<invalid>"), ("IP Address", "::1")]));
    certs.push(san(&[("IP Address", "127.1")]));
    certs.push(san(&[("IP Address", "1.2.3.4 extra")]));
    certs.push(san(&[("IP Address", "1.2.3")]));
    certs.push(san(&[("IP Address", "\u{3000}::1\u{3000}")]));
    certs.push(san(&[("IP Address", "::1\u{1c}\u{85}")]));
    certs.push(san(&[("IP Address", "1.2.3.4\0")]));
    certs.push(san(&[("IP Address", "::ffff:1.2.3.4")]));
    certs.push(san(&[("IP Address", "1.2.3.4"), ("DNS", "example.com")]));
    certs.push(san_cn(&[("IP Address", "10.0.0.1")], "example.com"));
    certs.push(san_cn(&[("email", "a@example.com")], "example.com"));
    certs.push(san_cn(&[("URI", "https://example.com/")], "*.example.com"));
    certs.push(san_cn(&[], "example.com"));
    certs.push(vec![("version", json!(3))]);
    certs.push(vec![(
        "subject",
        json!([
            [["commonName", "a.example.com"], ["organizationName", "o"]],
            [["commonName", "b.example.com"]],
            [["commonName", "*.c.example.com"]]
        ]),
    )]);
    certs.push(vec![(
        "subject",
        json!([[["commonName", "b.example.com"]], [["commonName", "*"]]]),
    )]);
    certs.push(vec![
        ("subject", json!([[["commonName", "cn.example.com"]]])),
        (
            "subjectAltName",
            json!([
                ["DirName", [[["commonName", "example.com"]]]],
                ["Registered ID", "1.2.3.4"],
                ["othername", "<unsupported>"]
            ]),
        ),
    ]);
    certs
}

/// Hostnames of the grid.
const GRID_HOSTS: &[&str] = &[
    "example.com",
    "EXAMPLE.COM",
    "example.com.",
    "www.example.com",
    "WWW.Example.Com",
    "www.example.com.",
    "a.b.example.com",
    ".example.com",
    "example.org",
    "com",
    "",
    ".",
    "xn--pthon-kva.example.com",
    "www.xn--pythn-mua.org",
    "xn--pythn-mua.org",
    "127.0.0.1",
    "127.1",
    "0x7f.0.0.1",
    "127.0.0.1 ",
    "010.0.0.1",
    "10.0.0.1",
    "1.2.3.4",
    "::1",
    "0:0:0:0:0:0:0:1",
    "::0:1",
    "2001:db8::1",
    "2001:DB8::1",
    "::ffff:1.2.3.4",
    "::ffff:1.2.3.04",
    "1::2::3",
    "bücher.de",
    "BÜCHER.DE",
    "www.σίσυφος.gr",
    "i̇stanbul.tr",
    "null\0.example.com",
    "*.example.com",
    "é'\"\\\t.com",
];

/// Address texts in every form glibc's `inet_aton` / `inet_pton` accept or
/// refuse, used both as `IP Address` entries and as hostnames.
const IP_FORMS: &[&str] = &[
    "0.0.0.0",
    "255.255.255.255",
    "256.0.0.1",
    "1.2.3.4\t",
    "1.2.3.4\x0b",
    "1.2.3.4x",
    "1.2.3.",
    "1..2.3",
    "0x1.2.3.4",
    "0X7F.1",
    "0x",
    "0x ",
    "08.0.0.1",
    "07.0.0.1",
    "4294967295",
    "4294967296",
    "99999999999999999999999",
    "1.2.65535",
    "1.16777215",
    "1.16777216",
    "127.0.0.1/24",
    "::",
    ":::",
    "1::",
    ":1::",
    "1:",
    "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7::",
    "1:2:3:4:5:6:7:8::",
    "::1:2:3:4:5:6:7",
    "1:2:3:4:5:6:1.2.3.4",
    "1:2:3:4:5:6:7:1.2.3.4",
    "::1.2.3",
    "::1.2.3.4.5",
    "::1.2.3.256",
    "::a.2.3.4",
    "12345::",
    "00000::1",
    "0000::1",
    "::FFFF:1.2.3.4",
    "fe80::1%eth0",
    "[::1]",
    " ::1",
    "::1 ",
    "1.2.3.4",
    "::1",
];

#[test]
fn match_hostname_matches_cpython() {
    let mut cases = cpython_cases();
    for cert in grid_certs() {
        for host in GRID_HOSTS {
            cases.push((cert.clone(), (*host).to_owned()));
        }
    }
    for form in IP_FORMS {
        let entry = san(&[("IP Address", form), ("DNS", "example.com")]);
        for host in ["::1", "1.2.3.4", "0.0.0.0", "example.com", "::"] {
            cases.push((entry.clone(), host.to_owned()));
        }
        for cert in [
            san(&[("IP Address", "1.2.3.4"), ("IP Address", "::1")]),
            san(&[("IP Address", "0:0:0:0:0:0:0:0\n")]),
            cn(form),
        ] {
            cases.push((cert, (*form).to_owned()));
        }
    }
    let requests: Vec<Json> = cases
        .iter()
        .map(|(cert, host)| {
            let pairs: Vec<Json> = cert.iter().map(|(k, v)| json!([k, v])).collect();
            json!({"fn": "match_hostname", "cert": pairs, "arg": host})
        })
        .collect();
    let answers = run_python(&requests);
    let mut tally = Tally::default();
    for ((cert, host), py) in cases.iter().zip(&answers) {
        let ours = match_hostname(&record(cert), host).map(|()| Json::Null);
        tally.compare(
            &format!("match_hostname({}, {host:?})", record(cert).repr()),
            ours,
            py,
        );
    }
    tally.finish("match_hostname", 200);
}
