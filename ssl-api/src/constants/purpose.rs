//! `ssl.Purpose` (C9) and its `_ASN1Object` values.

use std::fmt;

use crate::error::{Error, Result};

/// Python's `ssl._ASN1Object` (C9): the named tuple `(nid, shortname,
/// longname, oid)` describing an ASN.1 object, as OpenSSL 3 names it.
#[doc(alias = "_ASN1Object")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Asn1Object {
    /// OpenSSL's numeric id (`nid`), e.g. 129 for `serverAuth`.
    pub nid: i64,
    /// OpenSSL's short name (`shortname`), e.g. `serverAuth`.
    pub shortname: &'static str,
    /// OpenSSL's long name (`longname`), e.g. `TLS Web Server Authentication`.
    pub longname: &'static str,
    /// The dotted OID (`oid`), e.g. `1.3.6.1.5.5.7.3.1`.
    pub oid: &'static str,
}

/// Python's `repr()` of a `str` holding printable ASCII (what these names are).
fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

impl Asn1Object {
    /// Python's `repr()` (C9):
    /// `_ASN1Object(nid=129, shortname='serverAuth', longname='...', oid='...')`.
    pub fn repr(&self) -> String {
        format!(
            "_ASN1Object(nid={}, shortname={}, longname={}, oid={})",
            self.nid,
            py_str_repr(self.shortname),
            py_str_repr(self.longname),
            py_str_repr(self.oid)
        )
    }
}

/// Python's `str()` of an `_ASN1Object` (a named tuple): same as its `repr()`.
impl fmt::Display for Asn1Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repr())
    }
}

/// `ssl.Purpose` (C9): the purpose argument of `create_default_context()` and
/// `load_default_certs()`. Same on every backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// `ssl.Purpose.SERVER_AUTH` (C9): verify servers (the purpose of a client
    /// context); OID 1.3.6.1.5.5.7.3.1, nid 129, `serverAuth`.
    #[doc(alias = "SERVER_AUTH")]
    ServerAuth,
    /// `ssl.Purpose.CLIENT_AUTH` (C9): verify clients (the purpose of a server
    /// context); OID 1.3.6.1.5.5.7.3.2, nid 130, `clientAuth`.
    #[doc(alias = "CLIENT_AUTH")]
    ClientAuth,
}

impl Purpose {
    /// `ssl.Purpose.SERVER_AUTH` (C9), Python's spelling of [`Purpose::ServerAuth`].
    pub const SERVER_AUTH: Purpose = Purpose::ServerAuth;
    /// `ssl.Purpose.CLIENT_AUTH` (C9), Python's spelling of [`Purpose::ClientAuth`].
    pub const CLIENT_AUTH: Purpose = Purpose::ClientAuth;

    /// Python's class name, `ssl.Purpose` (C9).
    pub const PYTHON_CLASS: &'static str = "Purpose";

    /// Every member, in Python's definition order (C9).
    pub const MEMBERS: &'static [Purpose] = &[Purpose::ServerAuth, Purpose::ClientAuth];

    /// The member's `_ASN1Object` (`Purpose.X.value`, C9).
    pub const fn value(self) -> Asn1Object {
        match self {
            Purpose::ServerAuth => Asn1Object {
                nid: 129,
                shortname: "serverAuth",
                longname: "TLS Web Server Authentication",
                oid: "1.3.6.1.5.5.7.3.1",
            },
            Purpose::ClientAuth => Asn1Object {
                nid: 130,
                shortname: "clientAuth",
                longname: "TLS Web Client Authentication",
                oid: "1.3.6.1.5.5.7.3.2",
            },
        }
    }

    /// Python's member name, `SERVER_AUTH` / `CLIENT_AUTH` (C9).
    pub const fn name(self) -> &'static str {
        match self {
            Purpose::ServerAuth => "SERVER_AUTH",
            Purpose::ClientAuth => "CLIENT_AUTH",
        }
    }

    /// `Purpose.X.nid` (C9).
    pub const fn nid(self) -> i64 {
        self.value().nid
    }

    /// `Purpose.X.shortname` (C9).
    pub const fn shortname(self) -> &'static str {
        self.value().shortname
    }

    /// `Purpose.X.longname` (C9).
    pub const fn longname(self) -> &'static str {
        self.value().longname
    }

    /// `Purpose.X.oid` (C9).
    pub const fn oid(self) -> &'static str {
        self.value().oid
    }

    /// `Purpose.fromnid(nid)` (C9): the purpose with this OpenSSL nid;
    /// `ValueError` for any other nid.
    #[doc(alias = "fromnid")]
    pub fn from_nid(nid: i64) -> Result<Self> {
        Self::MEMBERS
            .iter()
            .copied()
            .find(|p| p.nid() == nid)
            .ok_or_else(|| Error::value(format!("unknown NID {nid}")))
    }

    /// `Purpose.fromname(name)` (C9): the purpose whose short name, long name
    /// or dotted OID is `name`; `ValueError` otherwise.
    #[doc(alias = "fromname")]
    pub fn from_name(name: &str) -> Result<Self> {
        Self::MEMBERS
            .iter()
            .copied()
            .find(|p| p.shortname() == name || p.longname() == name || p.oid() == name)
            .ok_or_else(|| Error::value(format!("unknown object '{name}'")))
    }

    /// Python 3.11's `repr()` (C9):
    /// `<Purpose.SERVER_AUTH: _ASN1Object(nid=129, ...)>`.
    pub fn repr(self) -> String {
        format!("<Purpose.{}: {}>", self.name(), self.value().repr())
    }
}

/// Python 3.11's `str()` of a `Purpose` member: `Purpose.SERVER_AUTH`.
impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Purpose.{}", self.name())
    }
}
