//! The integer flags: `ssl.VerifyFlags` (C2) and `ssl.Options` (C4), as
//! `bitflags` types whose constants carry Python's member names.
//!
//! Like Python's `IntFlag` (boundary `KEEP`), values keep bits that no member
//! names: `Options::from_i64(5)` is valid, and `repr()` shows the leftover
//! bits as a number, exactly as CPython 3.11 does.
#![allow(non_upper_case_globals)]

use bitflags::Flags;

bitflags::bitflags! {
    /// `ssl.VerifyFlags` (C2): `SSLContext.verify_flags`, OpenSSL's
    /// `X509_V_FLAG_*` values as Python exposes them. Which flags a backend
    /// honours is per backend (CRL checking, partial chains, proxy certs).
    ///
    /// Constants are in Python's definition order; `VERIFY_DEFAULT` is 0 and
    /// `VERIFY_CRL_CHECK_CHAIN` (12) includes `VERIFY_CRL_CHECK_LEAF` (4).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
    pub struct VerifyFlags: u64 {
        /// `ssl.VERIFY_DEFAULT` = 0 (C2): no extra checks.
        const VERIFY_DEFAULT = 0;
        /// `ssl.VERIFY_CRL_CHECK_LEAF` = 4 (C2): check the leaf against CRLs.
        const VERIFY_CRL_CHECK_LEAF = 0x4;
        /// `ssl.VERIFY_CRL_CHECK_CHAIN` = 12 (C2): check every certificate against CRLs.
        const VERIFY_CRL_CHECK_CHAIN = 0x4 | 0x8;
        /// `ssl.VERIFY_X509_STRICT` = 32 (C2): reject non-conforming certificates.
        const VERIFY_X509_STRICT = 0x20;
        /// `ssl.VERIFY_ALLOW_PROXY_CERTS` = 64 (C2): accept proxy certificates.
        const VERIFY_ALLOW_PROXY_CERTS = 0x40;
        /// `ssl.VERIFY_X509_TRUSTED_FIRST` = 32768 (C2): prefer trusted certificates when building chains.
        const VERIFY_X509_TRUSTED_FIRST = 0x8000;
        /// `ssl.VERIFY_X509_PARTIAL_CHAIN` = 524288 (C2): accept a trusted intermediate as anchor.
        const VERIFY_X509_PARTIAL_CHAIN = 0x80000;
    }
}

bitflags::bitflags! {
    /// `ssl.Options` (C4): `SSLContext.options`, OpenSSL's `SSL_OP_*` values
    /// (OpenSSL 3.0) as Python exposes them. Which options a backend honours
    /// is per backend; unknown bits are kept, as in Python.
    ///
    /// Constants are in Python's definition order. `OP_NO_SSLv2`,
    /// `OP_SINGLE_DH_USE` and `OP_SINGLE_ECDH_USE` are 0 on OpenSSL 3 (no-ops);
    /// `OP_ALL` is a multi-bit mask. `OP_NO_SSLv*`/`OP_NO_TLSv*` are deprecated
    /// in Python in favour of `minimum_version` / `maximum_version`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
    pub struct Options: u64 {
        /// `ssl.OP_NO_SSLv2` = 0 (C4): no-op since OpenSSL 1.1 (SSLv2 is gone).
        const OP_NO_SSLv2 = 0;
        /// `ssl.OP_SINGLE_DH_USE` = 0 (C4): no-op since OpenSSL 1.1 (always on).
        const OP_SINGLE_DH_USE = 0;
        /// `ssl.OP_SINGLE_ECDH_USE` = 0 (C4): no-op since OpenSSL 1.1 (always on).
        const OP_SINGLE_ECDH_USE = 0;
        /// `ssl.OP_IGNORE_UNEXPECTED_EOF` = 128 (C4): treat an EOF without close_notify as a clean close.
        const OP_IGNORE_UNEXPECTED_EOF = 0x80;
        /// `ssl.OP_NO_TICKET` = 16384 (C4): no stateless session tickets.
        const OP_NO_TICKET = 0x4000;
        /// `ssl.OP_NO_COMPRESSION` = 131072 (C4): no TLS compression.
        const OP_NO_COMPRESSION = 0x20000;
        /// `ssl.OP_ENABLE_MIDDLEBOX_COMPAT` = 1048576 (C4): TLS 1.3 middlebox compatibility mode.
        const OP_ENABLE_MIDDLEBOX_COMPAT = 0x100000;
        /// `ssl.OP_CIPHER_SERVER_PREFERENCE` = 4194304 (C4): the server's cipher order wins.
        const OP_CIPHER_SERVER_PREFERENCE = 0x400000;
        /// `ssl.OP_NO_SSLv3` = 33554432 (C4): disable SSL 3.0.
        const OP_NO_SSLv3 = 0x2000000;
        /// `ssl.OP_NO_TLSv1` = 67108864 (C4): disable TLS 1.0.
        const OP_NO_TLSv1 = 0x4000000;
        /// `ssl.OP_NO_TLSv1_2` = 134217728 (C4): disable TLS 1.2.
        const OP_NO_TLSv1_2 = 0x8000000;
        /// `ssl.OP_NO_TLSv1_1` = 268435456 (C4): disable TLS 1.1.
        const OP_NO_TLSv1_1 = 0x10000000;
        /// `ssl.OP_NO_TLSv1_3` = 536870912 (C4): disable TLS 1.3.
        const OP_NO_TLSv1_3 = 0x20000000;
        /// `ssl.OP_NO_RENEGOTIATION` = 1073741824 (C4): refuse renegotiation.
        const OP_NO_RENEGOTIATION = 0x40000000;
        /// `ssl.OP_ALL` = 2147483728 (C4): OpenSSL's bug workarounds (`SSL_OP_ALL`).
        const OP_ALL = 0x80000050;
    }
}

/// Python's `(n).bit_length()` for a non-negative `n`.
fn bit_length(n: u128) -> u32 {
    128 - n.leading_zeros()
}

/// The member table `(name, value)` of a flag type, in Python's
/// `__members__` order (aliases included).
fn members<F: Flags<Bits = u64>>() -> impl Iterator<Item = (&'static str, u64)> {
    F::FLAGS.iter().map(|f| (f.name(), f.value().bits()))
}

/// The canonical member name for `value` (the first member defined with it).
fn canonical<F: Flags<Bits = u64>>(value: u64) -> Option<&'static str> {
    members::<F>().find(|&(_, v)| v == value).map(|(n, _)| n)
}

/// `_flag_mask_` (every member bit) and `_singles_mask_` (single-bit members).
fn masks<F: Flags<Bits = u64>>() -> (u64, u64) {
    members::<F>().fold((0, 0), |(flag, singles), (_, v)| {
        (
            flag | v,
            if v.is_power_of_two() {
                singles | v
            } else {
                singles
            },
        )
    })
}

/// `IntFlag(value)` with boundary `KEEP` for a negative `value`: CPython 3.11
/// maps it to a non-negative value relative to `_all_bits_`.
fn keep_boundary<F: Flags<Bits = u64>>(value: i64) -> u64 {
    if value >= 0 {
        return value.unsigned_abs();
    }
    let (flag_mask, _) = masks::<F>();
    let all_bits: i128 = (1i128 << bit_length(u128::from(flag_mask))) - 1;
    let v = i128::from(value);
    let mapped = if v >= !all_bits {
        all_bits + 1 + v
    } else {
        let span = 1i128 << bit_length(value.unsigned_abs().into());
        span.max(all_bits + 1) + v
    };
    u64::try_from(mapped).unwrap_or(u64::MAX)
}

/// The `_name_` CPython 3.11's `Flag._missing_` gives `value` (`None` for a
/// value no member covers), reproduced step by step.
fn py_flag_name<F: Flags<Bits = u64>>(value: u64) -> Option<String> {
    if let Some(name) = canonical::<F>(value) {
        return Some(name.to_owned());
    }
    let (flag_mask, singles_mask) = masks::<F>();
    let member_value = value & singles_mask;
    let aliases = value & !singles_mask;
    if member_value == 0 && aliases == 0 {
        return None;
    }
    let mut names: Vec<&'static str> = Vec::new();
    let mut seen: Vec<u64> = Vec::new();
    let mut combined = 0u64;
    for bit in (0..64).map(|i| 1u64 << i) {
        if member_value & flag_mask & bit != 0 {
            if let Some(name) = canonical::<F>(bit) {
                names.push(name);
                seen.push(bit);
                combined |= bit;
            }
        }
    }
    if aliases != 0 {
        for (_, v) in members::<F>() {
            if v != 0 && !seen.contains(&v) && v & value == v {
                if let Some(name) = canonical::<F>(v) {
                    names.push(name);
                    seen.push(v);
                    combined |= v;
                }
            }
        }
    }
    if combined == 0 {
        return None;
    }
    let mut name = names.join("|");
    let unknown = value ^ combined;
    if unknown != 0 {
        name.push('|');
        name.push_str(&unknown.to_string());
    }
    Some(name)
}

macro_rules! py_int_flag {
    ($ty:ident, $pyclass:literal, $refid:literal) => {
        impl $ty {
            #[doc = concat!("Python's class name, `ssl.", $pyclass, "` (", $refid, ").")]
            pub const PYTHON_CLASS: &'static str = $pyclass;

            #[doc = concat!("Python's `", $pyclass, "(value)` (", $refid, "). Never fails: like Python's `IntFlag`, ")]
            /// unknown bits are kept, and a negative value is mapped the way
            /// CPython 3.11 maps it (`Options(-1)` is `4294967295`).
            pub fn from_i64(value: i64) -> Self {
                Self::from_bits_retain(keep_boundary::<Self>(value))
            }

            #[doc = concat!("The integer value, like Python's `int(x)` (", $refid, ").")]
            /// Bit 63 (which no OpenSSL flag uses) makes it negative; `bits()`
            /// gives the unsigned value.
            pub const fn value(self) -> i64 {
                self.bits() as i64
            }

            #[doc = concat!("Python's `", $pyclass, ".name` (", $refid, "): a member name, names joined by `|` ")]
            /// (with any unnamed bits as a trailing number), or `None` when no
            /// member is present — exactly as CPython 3.11 computes it.
            pub fn name(self) -> Option<String> {
                py_flag_name::<Self>(self.bits())
            }

            #[doc = concat!("Python 3.11's `repr()` (", $refid, "), e.g. `<", $pyclass, ".A|B: 5>` or `<", $pyclass, ": 8>`.")]
            pub fn repr(self) -> String {
                match self.name() {
                    Some(name) => format!("<{}.{}: {}>", $pyclass, name, self.bits()),
                    None => format!("<{}: {}>", $pyclass, self.bits()),
                }
            }
        }

        /// Python 3.11's `str()` of an `IntFlag`: its integer value.
        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.bits(), f)
            }
        }

        /// Python's `IntFlag(value)`: infallible (so `TryFrom<i64>` never fails).
        impl ::std::convert::From<i64> for $ty {
            fn from(value: i64) -> Self {
                Self::from_i64(value)
            }
        }

        impl ::std::convert::From<$ty> for i64 {
            fn from(value: $ty) -> i64 {
                value.value()
            }
        }
    };
}

py_int_flag!(VerifyFlags, "VerifyFlags", "C2");
py_int_flag!(Options, "Options", "C4");
