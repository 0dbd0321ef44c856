//! The certificate record: what `getpeercert()` and `get_ca_certs()` return, with
//! exactly the keys, key order and value shapes of CPython's dict.

use serde_json::Value as Json;

use crate::error::{Error, Result};
use crate::pyvalue::PyValue;

/// One relative distinguished name: the `(name, value)` pairs that share one RDN
/// (more than one for a multi-valued RDN such as `CN=a+O=b`).
pub type Rdn = Vec<(String, PyValue)>;

/// A decoded certificate, as CPython's dict: an ordered map of key -> value.
///
/// Keys appear in CPython's order (`subject`, `issuer`, `version`,
/// `serialNumber`, `notBefore`, `notAfter`, `subjectAltName`, `OCSP`,
/// `caIssuers`, `crlDistributionPoints`). An unvalidated peer certificate gives
/// the empty record (`{}` in Python).
#[doc(alias = "getpeercert")]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertRecord {
    entries: Vec<(String, PyValue)>,
}

impl CertRecord {
    /// The empty record (`{}`).
    pub fn empty() -> Self {
        CertRecord::default()
    }

    /// True for `{}`.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Appends `key: value` (keys keep insertion order, as a Python dict does).
    pub fn push(&mut self, key: impl Into<String>, value: PyValue) {
        self.entries.push((key.into(), value));
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&PyValue> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Every `(key, value)` in order.
    pub fn entries(&self) -> &[(String, PyValue)] {
        &self.entries
    }

    /// `subject` as RDNs (empty when absent or malformed).
    pub fn subject(&self) -> Vec<Rdn> {
        self.get("subject").map(rdns_of).unwrap_or_default()
    }

    /// `issuer` as RDNs (empty when absent or malformed).
    pub fn issuer(&self) -> Vec<Rdn> {
        self.get("issuer").map(rdns_of).unwrap_or_default()
    }

    /// `subjectAltName` as `(type, value)` pairs; `None` when the key is absent.
    /// `DirName` values are tuples of RDNs; every other value is a `str`.
    pub fn subject_alt_name(&self) -> Option<Vec<(String, PyValue)>> {
        self.get("subjectAltName").map(pairs_of)
    }

    /// Python's `repr()` of the dict.
    pub fn repr(&self) -> String {
        let mut out = String::from("{");
        for (i, (k, v)) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(&crate::pyvalue::repr_str(k));
            out.push_str(": ");
            v.write_repr(&mut out);
        }
        out.push('}');
        out
    }

    /// JSON object in key order (tuples as arrays, bytes as `{"$bytes": hex}`).
    pub fn to_json(&self) -> Json {
        let mut m = serde_json::Map::new();
        for (k, v) in &self.entries {
            m.insert(k.clone(), v.to_json());
        }
        Json::Object(m)
    }

    /// Reads the JSON form back.
    pub fn from_json(json: &Json) -> Result<Self> {
        let obj = json
            .as_object()
            .ok_or_else(|| Error::value("a certificate record must be a JSON object"))?;
        let mut rec = CertRecord::empty();
        for (k, v) in obj {
            rec.push(k.clone(), PyValue::from_json(v)?);
        }
        Ok(rec)
    }
}

fn pairs_of(v: &PyValue) -> Vec<(String, PyValue)> {
    v.as_tuple()
        .unwrap_or_default()
        .iter()
        .filter_map(|p| match p.as_tuple() {
            Some([PyValue::Str(k), val]) => Some((k.clone(), val.clone())),
            _ => None,
        })
        .collect()
}

fn rdns_of(v: &PyValue) -> Vec<Rdn> {
    v.as_tuple()
        .unwrap_or_default()
        .iter()
        .map(pairs_of)
        .collect()
}

/// Builds the `PyValue` of a sequence of RDNs (`((('countryName', 'US'),), ...)`).
pub fn rdns_to_value(rdns: &[Rdn]) -> PyValue {
    PyValue::Tuple(
        rdns.iter()
            .map(|rdn| {
                PyValue::Tuple(
                    rdn.iter()
                        .map(|(k, v)| PyValue::pair(k.clone(), v.clone()))
                        .collect(),
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_repr_and_accessors() {
        let mut r = CertRecord::empty();
        assert_eq!(r.repr(), "{}");
        let subject = vec![
            vec![("commonName".to_string(), PyValue::str("a"))],
            vec![
                ("organizationName".to_string(), PyValue::str("o")),
                ("commonName".to_string(), PyValue::str("b")),
            ],
        ];
        r.push("subject", rdns_to_value(&subject));
        r.push("version", PyValue::Int(3));
        r.push(
            "subjectAltName",
            PyValue::Tuple(vec![PyValue::pair("DNS", "x.com".into())]),
        );
        assert_eq!(r.subject(), subject);
        assert_eq!(
            r.repr(),
            "{'subject': ((('commonName', 'a'),), (('organizationName', 'o'), ('commonName', 'b'))), 'version': 3, 'subjectAltName': (('DNS', 'x.com'),)}"
        );
        let back = CertRecord::from_json(&r.to_json()).unwrap();
        assert_eq!(back, r);
        assert_eq!(
            r.subject_alt_name().unwrap(),
            vec![("DNS".to_string(), PyValue::str("x.com"))]
        );
    }
}
