//! The cipher-list engine: OpenSSL 3.0's grammar (`ssl/ssl_ciph.c`) over
//! the suites of [`super::SUITES`].

use super::*;

/// An entry of OpenSSL's `ca_list`: a cipher name or a group alias.
struct Alias {
    name: &'static str,
    /// `Some(id)` for a real cipher (`SSL_CIPHER.valid`).
    cipher_id: Option<u32>,
    algs: Algs,
}

const fn alias(name: &'static str, mkey: u32, auth: u32, enc: u32, mac: u32) -> Alias {
    Alias {
        name,
        cipher_id: None,
        algs: Algs::new(mkey, auth, enc, mac, 0, 0),
    }
}

const fn version_alias(name: &'static str, min_tls: u16) -> Alias {
    Alias {
        name,
        cipher_id: None,
        algs: Algs::new(0, 0, 0, 0, min_tls, 0),
    }
}

const fn strength_alias(name: &'static str, enc: u32, strength: u32) -> Alias {
    Alias {
        name,
        cipher_id: None,
        algs: Algs::new(0, 0, enc, 0, 0, strength),
    }
}

/// OpenSSL 3.0's `cipher_aliases[]`, in its order.
static ALIASES: &[Alias] = &[
    alias("ALL", 0, 0, !alg::E_NULL, 0),
    alias("COMPLEMENTOFALL", 0, 0, alg::E_NULL, 0),
    strength_alias("COMPLEMENTOFDEFAULT", 0, alg::NOT_DEFAULT),
    // Key exchange.
    alias("kRSA", alg::K_RSA, 0, 0, 0),
    alias("kEDH", alg::K_DHE, 0, 0, 0),
    alias("kDHE", alg::K_DHE, 0, 0, 0),
    alias("DH", alg::K_DHE, 0, 0, 0),
    alias("kEECDH", alg::K_ECDHE, 0, 0, 0),
    alias("kECDHE", alg::K_ECDHE, 0, 0, 0),
    alias("ECDH", alg::K_ECDHE, 0, 0, 0),
    alias("kPSK", alg::K_PSK, 0, 0, 0),
    alias("kRSAPSK", alg::K_RSAPSK, 0, 0, 0),
    alias("kECDHEPSK", alg::K_ECDHEPSK, 0, 0, 0),
    alias("kDHEPSK", alg::K_DHEPSK, 0, 0, 0),
    alias("kSRP", alg::K_SRP, 0, 0, 0),
    alias("kGOST", alg::K_GOST, 0, 0, 0),
    alias("kGOST18", alg::K_GOST18, 0, 0, 0),
    // Server authentication.
    alias("aRSA", 0, alg::A_RSA, 0, 0),
    alias("aDSS", 0, alg::A_DSS, 0, 0),
    alias("DSS", 0, alg::A_DSS, 0, 0),
    alias("aNULL", 0, alg::A_NULL, 0, 0),
    alias("aECDSA", 0, alg::A_ECDSA, 0, 0),
    alias("ECDSA", 0, alg::A_ECDSA, 0, 0),
    alias("aPSK", 0, alg::A_PSK, 0, 0),
    alias("aGOST01", 0, alg::A_GOST01, 0, 0),
    alias("aGOST12", 0, alg::A_GOST12, 0, 0),
    alias("aGOST", 0, alg::A_GOST01 | alg::A_GOST12, 0, 0),
    alias("aSRP", 0, alg::A_SRP, 0, 0),
    // Key exchange and authentication together.
    alias("EDH", alg::K_DHE, !alg::A_NULL, 0, 0),
    alias("DHE", alg::K_DHE, !alg::A_NULL, 0, 0),
    alias("EECDH", alg::K_ECDHE, !alg::A_NULL, 0, 0),
    alias("ECDHE", alg::K_ECDHE, !alg::A_NULL, 0, 0),
    alias("NULL", 0, 0, alg::E_NULL, 0),
    alias("RSA", alg::K_RSA, alg::A_RSA, 0, 0),
    alias("ADH", alg::K_DHE, alg::A_NULL, 0, 0),
    alias("AECDH", alg::K_ECDHE, alg::A_NULL, 0, 0),
    alias("PSK", alg::PSK, 0, 0, 0),
    alias("SRP", alg::K_SRP, 0, 0, 0),
    // Symmetric encryption.
    alias("3DES", 0, 0, alg::DES3, 0),
    alias("RC4", 0, 0, alg::RC4, 0),
    alias("RC2", 0, 0, alg::RC2, 0),
    alias("IDEA", 0, 0, alg::IDEA, 0),
    alias("SEED", 0, 0, alg::SEED, 0),
    alias("eNULL", 0, 0, alg::E_NULL, 0),
    alias(
        "GOST89",
        0,
        0,
        alg::E_GOST2814789CNT | alg::E_GOST2814789CNT12,
        0,
    ),
    alias(
        "AES128",
        0,
        0,
        alg::AES128 | alg::AES128GCM | alg::AES128CCM | alg::AES128CCM8,
        0,
    ),
    alias(
        "AES256",
        0,
        0,
        alg::AES256 | alg::AES256GCM | alg::AES256CCM | alg::AES256CCM8,
        0,
    ),
    alias("AES", 0, 0, alg::AES, 0),
    alias("AESGCM", 0, 0, alg::AESGCM, 0),
    alias("AESCCM", 0, 0, alg::AESCCM, 0),
    alias("AESCCM8", 0, 0, alg::AES128CCM8 | alg::AES256CCM8, 0),
    alias("CAMELLIA128", 0, 0, alg::CAMELLIA128, 0),
    alias("CAMELLIA256", 0, 0, alg::CAMELLIA256, 0),
    alias("CAMELLIA", 0, 0, alg::CAMELLIA, 0),
    alias("CHACHA20", 0, 0, alg::CHACHA20, 0),
    alias(
        "GOST2012-GOST8912-GOST8912",
        0,
        0,
        alg::E_GOST2814789CNT12,
        0,
    ),
    alias("ARIA", 0, 0, alg::ARIA, 0),
    alias("ARIAGCM", 0, 0, alg::ARIAGCM, 0),
    alias("ARIA128", 0, 0, alg::ARIA128GCM, 0),
    alias("ARIA256", 0, 0, alg::ARIA256GCM, 0),
    alias("CBC", 0, 0, alg::CBC, 0),
    // MAC.
    alias("MD5", 0, 0, 0, alg::MD5),
    alias("SHA1", 0, 0, 0, alg::SHA1),
    alias("SHA", 0, 0, 0, alg::SHA1),
    alias("GOST94", 0, 0, 0, alg::GOST94),
    alias("GOST89MAC", 0, 0, 0, alg::GOST89MAC | alg::GOST89MAC12),
    alias("SHA256", 0, 0, 0, alg::SHA256),
    alias("SHA384", 0, 0, 0, alg::SHA384),
    alias("GOST12", 0, 0, 0, alg::GOST12_256),
    // Protocol versions.
    version_alias("SSLv3", alg::SSL3_VERSION),
    version_alias("TLSv1", alg::TLS1_VERSION),
    version_alias("TLSv1.0", alg::TLS1_VERSION),
    version_alias("TLSv1.2", alg::TLS1_2_VERSION),
    // Strength classes.
    strength_alias("LOW", 0, alg::LOW),
    strength_alias("MEDIUM", 0, alg::MEDIUM),
    strength_alias("HIGH", 0, alg::HIGH),
    strength_alias("FIPS", !alg::E_NULL, alg::FIPS),
    // "EDH-" names kept for backward compatibility (3DES suites).
    Alias {
        name: "EDH-DSS-DES-CBC3-SHA",
        cipher_id: None,
        algs: Algs::new(alg::K_DHE, alg::A_DSS, alg::DES3, alg::SHA1, 0, HIGH_FIPS),
    },
    Alias {
        name: "EDH-RSA-DES-CBC3-SHA",
        cipher_id: None,
        algs: Algs::new(alg::K_DHE, alg::A_RSA, alg::DES3, alg::SHA1, 0, HIGH_FIPS),
    },
];

/// Looks a word up the way `ssl_cipher_process_rulestr` walks `ca_list`: the
/// available ciphers first (by OpenSSL name), then the aliases.
fn lookup(word: &[u8]) -> Option<Alias> {
    if let Some(e) = tls12_suites().iter().find(|e| e.name.as_bytes() == word) {
        return Some(Alias {
            name: e.name,
            cipher_id: Some(e.id),
            algs: e.algs,
        });
    }
    ALIASES
        .iter()
        .find(|a| a.name.as_bytes() == word)
        .map(|a| Alias {
            name: a.name,
            cipher_id: a.cipher_id,
            algs: a.algs,
        })
}

/// The selection criteria of one `ssl_cipher_apply_rule` call.
#[derive(Clone, Copy, Debug, Default)]
struct Pattern {
    cipher_id: u32,
    algs: Algs,
}

impl Pattern {
    fn new(mkey: u32, auth: u32, enc: u32, mac: u32, min_tls: u16) -> Self {
        Pattern {
            cipher_id: 0,
            algs: Algs::new(mkey, auth, enc, mac, min_tls, 0),
        }
    }

    /// `+`-joins one more word into the pattern; `false` when the
    /// intersection is empty (OpenSSL then ignores the whole rule).
    fn combine(&mut self, a: &Alias) -> bool {
        fn and(acc: &mut u32, v: u32) -> bool {
            if v != 0 {
                if *acc != 0 {
                    *acc &= v;
                    if *acc == 0 {
                        return false;
                    }
                } else {
                    *acc = v;
                }
            }
            true
        }
        let p = &mut self.algs;
        if !and(&mut p.mkey, a.algs.mkey)
            || !and(&mut p.auth, a.algs.auth)
            || !and(&mut p.enc, a.algs.enc)
            || !and(&mut p.mac, a.algs.mac)
        {
            return false;
        }
        let strong = a.algs.strength & alg::STRONG_MASK;
        if strong != 0 {
            if p.strength & alg::STRONG_MASK != 0 {
                p.strength &= strong | !alg::STRONG_MASK;
                if p.strength & alg::STRONG_MASK == 0 {
                    return false;
                }
            } else {
                // As OpenSSL: this assignment drops a DEFAULT_MASK bit set by
                // an earlier word.
                p.strength = strong;
            }
        }
        let default = a.algs.strength & alg::DEFAULT_MASK;
        if default != 0 {
            if p.strength & alg::DEFAULT_MASK != 0 {
                p.strength &= default | !alg::DEFAULT_MASK;
                if p.strength & alg::DEFAULT_MASK == 0 {
                    return false;
                }
            } else {
                p.strength |= default;
            }
        }
        match a.cipher_id {
            // An explicit suite: its protocol version is not part of the pattern.
            Some(id) => self.cipher_id = id,
            None => {
                if a.algs.min_tls != 0 {
                    if p.min_tls != 0 && p.min_tls != a.algs.min_tls {
                        return false;
                    }
                    p.min_tls = a.algs.min_tls;
                }
            }
        }
        true
    }

    fn matches(&self, e: &SuiteEntry) -> bool {
        let (p, c) = (&self.algs, &e.algs);
        !((self.cipher_id != 0 && self.cipher_id != e.id)
            || (p.mkey != 0 && p.mkey & c.mkey == 0)
            || (p.auth != 0 && p.auth & c.auth == 0)
            || (p.enc != 0 && p.enc & c.enc == 0)
            || (p.mac != 0 && p.mac & c.mac == 0)
            || (p.min_tls != 0 && p.min_tls != c.min_tls)
            || (p.strength & alg::STRONG_MASK != 0
                && p.strength & alg::STRONG_MASK & c.strength == 0)
            || (p.strength & alg::DEFAULT_MASK != 0
                && p.strength & alg::DEFAULT_MASK & c.strength == 0))
    }
}

/// What a rule selects: an algorithm pattern, or (for `@STRENGTH`) one
/// strength-bits value.
#[derive(Clone, Copy)]
enum Criterion {
    Pattern(Pattern),
    StrengthBits(u16),
}

impl Criterion {
    fn matches(&self, e: &SuiteEntry) -> bool {
        match self {
            Criterion::Pattern(p) => p.matches(e),
            Criterion::StrengthBits(bits) => e.strength_bits == *bits,
        }
    }
}

/// `CIPHER_ADD`, `CIPHER_KILL`, `CIPHER_DEL`, `CIPHER_ORD`, `CIPHER_BUMP`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    /// No prefix: append matching inactive suites to the end, enabling them.
    Add,
    /// `!`: remove matching suites for good.
    Kill,
    /// `-`: disable matching suites, moving them to the front (they may be
    /// added again later).
    Del,
    /// `+`: move matching active suites to the end.
    Ord,
    /// Internal: move matching active suites to the front.
    Bump,
}

/// OpenSSL's `CIPHER_ORDER` list restricted to the rustls TLS 1.2 suites.
struct CipherOrder {
    /// Indices into [`tls12_suites`] still in the list (killed ones are gone).
    list: Vec<usize>,
    active: [bool; N12],
}

impl CipherOrder {
    /// `ssl_cipher_collect_ciphers` followed by the default-preference rules
    /// of `ssl_create_cipher_list`, ending with everything disabled.
    fn new() -> Self {
        let mut co = CipherOrder {
            list: (0..N12).collect(),
            active: [false; N12],
        };
        let all = Pattern::default();
        let rule = |mkey, auth, enc, mac, min_tls| {
            Criterion::Pattern(Pattern::new(mkey, auth, enc, mac, min_tls))
        };
        // Prefer ephemeral ECDH, and ECDSA over RSA within it.
        co.apply(Op::Add, rule(alg::K_ECDHE, alg::A_ECDSA, 0, 0, 0));
        co.apply(Op::Add, rule(alg::K_ECDHE, 0, 0, 0, 0));
        co.apply(Op::Del, rule(alg::K_ECDHE, 0, 0, 0, 0));
        // Within each strength group, GCM over CHACHA, then AES.
        co.apply(Op::Add, rule(0, 0, alg::AESGCM, 0, 0));
        co.apply(Op::Add, rule(0, 0, alg::CHACHA20, 0, 0));
        co.apply(Op::Add, rule(0, 0, alg::AES ^ alg::AESGCM, 0, 0));
        // Temporarily enable everything else for sorting.
        co.apply(Op::Add, Criterion::Pattern(all));
        co.apply(Op::Ord, rule(0, 0, 0, alg::MD5, 0));
        co.apply(Op::Ord, rule(0, alg::A_NULL, 0, 0, 0));
        co.apply(Op::Ord, rule(alg::K_RSA, 0, 0, 0, 0));
        co.apply(Op::Ord, rule(alg::K_PSK, 0, 0, 0, 0));
        co.apply(Op::Ord, rule(0, 0, alg::RC4, 0, 0));
        co.strength_sort();
        // Prefer TLS 1.2, then (EC)DHE + AEAD > (EC)DHE > AEAD > rest.
        co.apply(Op::Bump, rule(0, 0, 0, 0, alg::TLS1_2_VERSION));
        co.apply(Op::Bump, rule(0, 0, 0, alg::AEAD, 0));
        co.apply(Op::Bump, rule(alg::K_DHE | alg::K_ECDHE, 0, 0, 0, 0));
        co.apply(
            Op::Bump,
            rule(alg::K_DHE | alg::K_ECDHE, 0, 0, alg::AEAD, 0),
        );
        // Now disable everything, keeping the order.
        co.apply(Op::Del, Criterion::Pattern(all));
        co
    }

    /// `ssl_cipher_apply_rule`: every operation is a stable partition of the
    /// list by the criterion (and the active flag).
    fn apply(&mut self, op: Op, criterion: Criterion) {
        let suites = tls12_suites();
        let active = self.active;
        let selected = |i: usize| {
            criterion.matches(&suites[i])
                && match op {
                    Op::Add => !active[i],
                    Op::Ord | Op::Del | Op::Bump => active[i],
                    Op::Kill => true,
                }
        };
        let (moved, kept): (Vec<usize>, Vec<usize>) =
            self.list.iter().copied().partition(|&i| selected(i));
        self.list = match op {
            Op::Add | Op::Ord => kept.into_iter().chain(moved.iter().copied()).collect(),
            Op::Del | Op::Bump => moved.iter().copied().chain(kept).collect(),
            Op::Kill => kept,
        };
        for i in moved {
            self.active[i] = !matches!(op, Op::Del | Op::Kill);
        }
    }

    /// `ssl_cipher_strength_sort`: stable sort of the active suites by
    /// descending strength bits, as a sequence of `+` moves.
    fn strength_sort(&mut self) {
        let suites = tls12_suites();
        let mut bits: Vec<u16> = self
            .list
            .iter()
            .filter(|&&i| self.active[i])
            .map(|&i| suites[i].strength_bits)
            .collect();
        bits.sort_unstable_by(|a, b| b.cmp(a));
        bits.dedup();
        for b in bits {
            self.apply(Op::Ord, Criterion::StrengthBits(b));
        }
    }

    fn selected(&self) -> Vec<&'static SuiteEntry> {
        let suites = tls12_suites();
        self.list
            .iter()
            .filter(|&&i| self.active[i])
            .map(|&i| &suites[i])
            .collect()
    }
}

/// OpenSSL's `ITEM_SEP`.
fn is_sep(c: u8) -> bool {
    matches!(c, b':' | b' ' | b';' | b',')
}

/// The characters of a cipher-list word.
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'=')
}

/// The parse failed (`SSL_R_INVALID_COMMAND`).
struct InvalidCommand;

/// `ssl_cipher_process_rulestr`.
fn process_rulestr(
    rule: &[u8],
    co: &mut CipherOrder,
    sec_level: &mut Option<u8>,
) -> Result<(), InvalidCommand> {
    let at = |i: usize| rule.get(i).copied().unwrap_or(0);
    let skip_word = |l: &mut usize| {
        while at(*l) != 0 && !is_sep(at(*l)) {
            *l += 1;
        }
    };
    let mut l = 0usize;
    loop {
        let ch = at(l);
        if ch == 0 {
            break;
        }
        // None stands for CIPHER_SPECIAL ('@').
        let op = match ch {
            b'-' => Some(Op::Del),
            b'+' => Some(Op::Ord),
            b'!' => Some(Op::Kill),
            b'@' => None,
            _ => Some(Op::Add),
        };
        if matches!(ch, b'-' | b'+' | b'!' | b'@') {
            l += 1;
        }
        if is_sep(ch) {
            l += 1;
            continue;
        }

        let mut pattern = Pattern::default();
        let mut found = false;
        let mut word: &[u8];
        loop {
            let start = l;
            while is_word(at(l)) {
                l += 1;
            }
            word = &rule[start..l];
            if word.is_empty() {
                // Neither a command, a separator nor a word.
                return Err(InvalidCommand);
            }
            if op.is_none() {
                break;
            }
            let multi = at(l) == b'+';
            if multi {
                l += 1;
            }
            pattern.cipher_id = 0;
            found = match lookup(word) {
                Some(a) => pattern.combine(&a),
                None => false,
            };
            if !found || !multi {
                break;
            }
        }

        match op {
            None => {
                if word == b"STRENGTH" {
                    co.strength_sort();
                } else if word.len() == 10 && word.starts_with(b"SECLEVEL=") {
                    let level = word[9].wrapping_sub(b'0');
                    if level > 5 {
                        return Err(InvalidCommand);
                    }
                    *sec_level = Some(level);
                } else {
                    return Err(InvalidCommand);
                }
                // "@" takes no "+" parts: drop the rest of the word.
                skip_word(&mut l);
            }
            Some(op) if found => co.apply(op, Criterion::Pattern(pattern)),
            Some(_) => skip_word(&mut l),
        }
        if at(l) == 0 {
            break;
        }
    }
    Ok(())
}

/// `check_suiteb_cipher_list`: a string starting with a Suite B keyword is
/// replaced by that mode's fixed list.
fn suite_b(rule: &str) -> Option<(SuiteB, &'static str)> {
    const LOS128: &str = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384";
    if rule.starts_with("SUITEB128ONLY") {
        Some((SuiteB::Los128Only, "ECDHE-ECDSA-AES128-GCM-SHA256"))
    } else if rule.starts_with("SUITEB128C2") {
        Some((SuiteB::Los128, "ECDHE-ECDSA-AES256-GCM-SHA384"))
    } else if rule.starts_with("SUITEB128") {
        Some((SuiteB::Los128, LOS128))
    } else if rule.starts_with("SUITEB192") {
        Some((SuiteB::Los192, "ECDHE-ECDSA-AES256-GCM-SHA384"))
    } else {
        None
    }
}

/// Applies an OpenSSL cipher list (`SSL_CTX_set_cipher_list` semantics, OpenSSL
/// 3.0) to the rustls suites: Python's `SSLContext.set_ciphers(list)`.
///
/// Separators are `:`, `,`, ` ` and `;`; a word is a suite name or an alias
/// (`HIGH`, `aRSA`, `ECDHE`, `AESGCM`, ...), `+`-joined words intersect; the
/// prefixes are none (add), `+` (move to the end), `-` (remove, may be added
/// again) and `!` (remove for good); `@STRENGTH` sorts by strength and
/// `@SECLEVEL=n` records a security level. A leading `DEFAULT` expands to
/// [`OPENSSL_DEFAULT_CIPHER_LIST`]; unknown words are ignored. Errors:
/// `SSLError('No cipher can be selected.')` when the string is malformed or
/// selects no TLS 1.2 suite rustls has (see the module docs), `ValueError` for
/// an embedded NUL.
pub fn select_ciphers(list: &str) -> Result<Selection, Error> {
    if list.contains('\0') {
        return Err(Error::value("embedded null character"));
    }
    let no_cipher = || Error::ssl_message(NO_CIPHER_MESSAGE);
    let (suite_b, mut rule) = match suite_b(list) {
        Some((mode, replacement)) => (Some(mode), replacement),
        None => (None, list),
    };
    let mut co = CipherOrder::new();
    let mut sec_level = None;
    if let Some(rest) = rule.strip_prefix("DEFAULT") {
        process_rulestr(
            OPENSSL_DEFAULT_CIPHER_LIST.as_bytes(),
            &mut co,
            &mut sec_level,
        )
        .map_err(|_| no_cipher())?;
        rule = rest.strip_prefix(':').unwrap_or(rest);
    }
    if !rule.is_empty() {
        process_rulestr(rule.as_bytes(), &mut co, &mut sec_level).map_err(|_| no_cipher())?;
    }
    let tls12 = co.selected();
    if tls12.is_empty() {
        return Err(no_cipher());
    }
    Ok(Selection {
        tls12,
        sec_level,
        suite_b,
    })
}
