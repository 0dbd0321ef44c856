//! `cert_time_to_seconds` (F9), `DER_cert_to_PEM_cert` (F11) and
//! `PEM_cert_to_DER_cert` (F12) compared with CPython 3.11's `ssl` module:
//! hand-picked valid and invalid inputs (CPython's own test cases among them),
//! generated valid inputs, and deterministic random mutations of valid ones.

mod common;

use common::{request, run_python, Tally};
use serde_json::{json, Value as Json};
use ssl_api::{cert_time_to_seconds, der_cert_to_pem_cert, pem_cert_to_der_cert};

/// A small deterministic generator (64-bit LCG), so runs are reproducible.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Deletes, inserts or replaces one character (1-3 times) with one of `alphabet`.
fn mutate(rng: &mut Lcg, s: &str, alphabet: &[char]) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    for _ in 0..=rng.below(3) {
        let pos = rng.below(chars.len() + 1);
        let c = alphabet[rng.below(alphabet.len())];
        match rng.below(3) {
            0 if pos < chars.len() => {
                chars.remove(pos);
            }
            1 if pos < chars.len() => chars[pos] = c,
            _ => chars.insert(pos, c),
        }
    }
    chars.into_iter().collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const FIXED_TIMES: &[&str] = &[
    // CPython's test_cert_time_to_seconds and _timezone / _locale.
    "Jan  5 09:34:43 2018 GMT",
    "Jan 05 09:34:43 2018 GMT",
    "JaN  5 09:34:43 2018 GmT",
    "Jan  5 09:34 2018 GMT",
    "Jan  5 09:34:43 2018",
    "Jan  5 09:34:43 2018 UTC",
    "Jan 35 09:34:43 2018 GMT",
    "Jon  5 09:34:43 2018 GMT",
    "Jan  5 24:00:00 2018 GMT",
    "Jan  5 09:60:43 2018 GMT",
    "Dec 31 23:59:60 2008 GMT",
    "Jan  1 00:00:00 2009 GMT",
    "Jan  5 09:34:59 2018 GMT",
    "Jan  5 09:34:60 2018 GMT",
    "Jan  5 09:34:61 2018 GMT",
    "Jan  5 09:34:62 2018 GMT",
    "Dec 31 23:59:59 9999 GMT",
    "May  9 00:00:00 2007 GMT",
    "Feb  9 00:00:00 2007 GMT",
    // Month spelling and case.
    "jan  5 09:34:43 2018 GMT",
    "JAN  5 09:34:43 2018 GMT",
    "jAN  5 09:34:43 2018 gmt",
    "January  5 09:34:43 2018 GMT",
    "Ja  5 09:34:43 2018 GMT",
    "Janx 5 09:34:43 2018 GMT",
    "ſep  5 09:34:43 2018 GMT",
    "ſEP  5 09:34:43 2018 GMT",
    "Sep  5 09:34:43 2018 GMT",
    "Jän  5 09:34:43 2018 GMT",
    " Jan  5 09:34:43 2018 GMT",
    "",
    "J",
    "Ja",
    "Jan",
    "Jan ",
    "é",
    "éée 1 00:00:00 2000 GMT",
    // Day forms.
    "Jan 5 09:34:43 2018 GMT",
    "Jan   5 09:34:43 2018 GMT",
    "Jan\t5 09:34:43 2018 GMT",
    "Jan\u{3000}5 09:34:43 2018 GMT",
    "Jan\u{1c}5 09:34:43 2018 GMT",
    "Jan\u{85}5 09:34:43 2018 GMT",
    "Jan\u{200b}5 09:34:43 2018 GMT",
    "Jan5 09:34:43 2018 GMT",
    "Jan 00 09:34:43 2018 GMT",
    "Jan 0 09:34:43 2018 GMT",
    "Jan 31 09:34:43 2018 GMT",
    "Jan 32 09:34:43 2018 GMT",
    "Jan 29 09:34:43 2018 GMT",
    "Jan 1\u{663} 09:34:43 2018 GMT",
    "Jan \u{663} 09:34:43 2018 GMT",
    "Jan 005 09:34:43 2018 GMT",
    // Calendar arithmetic without validation.
    "Feb 29 00:00:00 2001 GMT",
    "Feb 29 00:00:00 2000 GMT",
    "Feb 31 09:34:61 2018 GMT",
    "Apr 31 00:00:00 1900 GMT",
    "Nov 31 23:59:59 1969 GMT",
    "Jan  1 00:00:00 1970 GMT",
    "Dec 31 23:59:59 1969 GMT",
    "Jan  1 00:00:00 0001 GMT",
    "Jan  1 00:00:00 0000 GMT",
    "Jan  1 00:00:00 10000 GMT",
    "Jan  1 00:00:00 999 GMT",
    "Mar  1 00:00:00 1600 GMT",
    // Time fields.
    "Jan  5 9:4:3 2018 GMT",
    "Jan  5 09:34:3 2018 GMT",
    "Jan  5 23:59:59 2018 GMT",
    "Jan  5 19:59:59 2018 GMT",
    "Jan  5 20:00:00 2018 GMT",
    "Jan  5 009:34:43 2018 GMT",
    "Jan  5 09 :34:43 2018 GMT",
    "Jan  5 09: 34:43 2018 GMT",
    "Jan  5 \u{661}\u{669}:\u{663}\u{664}:\u{664}\u{663} \u{662}\u{660}\u{661}\u{668} GMT",
    "Jan  5 1\u{ff19}:3\u{ff14}:4\u{ff13} \u{ff12}\u{ff10}\u{ff11}\u{ff18} GMT",
    "Jan  5 09:34:43 \u{1d7ce}\u{1d7cf}\u{1d7d0}\u{1d7d1} GMT",
    "Jan  5 09:34:43 2018GMT",
    "Jan  5 09:34:43  2018  GMT",
    "Jan  5 09:34:43 2018\u{3000}GMT",
    "Jan  5 09:34:43 2018 gmt",
    "Jan  5 09:34:43 2018 GMT ",
    "Jan  5 09:34:43 2018 GMTx",
    "Jan  5 09:34:43 2018 GMT\n",
    "Jan  5 09:34:43 2018 G",
    "Jan  5 09:34:43 2018 Z",
    "Jan  5 09:34:43 20180 GMT",
    "Jan  5 09:34:43.5 2018 GMT",
    "Jan  5 09:34:43 2018 GMT\0",
    "Jan \0 5 09:34:43 2018 GMT",
    "Jan  5 09:34:43 2018 GMT é",
];

#[test]
fn cert_time_to_seconds_matches_cpython() {
    let mut inputs: Vec<String> = FIXED_TIMES.iter().map(|s| (*s).to_owned()).collect();
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut rng = Lcg(0x5eed_0f71);
    for k in 0..120 {
        let year = 1 + rng.below(9999);
        let day = 1 + rng.below(31);
        let (h, m, s) = (rng.below(24), rng.below(60), rng.below(62));
        let month = months[k % 12];
        inputs.push(if k % 2 == 0 {
            format!("{month} {day:2} {h:02}:{m:02}:{s:02} {year:04} GMT")
        } else {
            format!("{month} {day:02} {h}:{m}:{s} {year:04} GMT")
        });
    }
    let alphabet = [
        ' ', '\t', '0', '1', '2', '3', '6', '9', ':', 'G', 'm', 'x', '\u{663}', '\u{3000}',
        '\u{1c}', 'ſ', 'é', '\0', '\n', '\'', '"',
    ];
    let base = inputs.clone();
    for _ in 0..400 {
        let seed = &base[rng.below(base.len())];
        inputs.push(mutate(&mut rng, seed, &alphabet));
    }
    let requests: Vec<Json> = inputs
        .iter()
        .map(|s| request("cert_time_to_seconds", json!(s)))
        .collect();
    let answers = run_python(&requests);
    let mut tally = Tally::default();
    for (input, py) in inputs.iter().zip(&answers) {
        let ours = cert_time_to_seconds(input).map(Json::from);
        tally.compare(&format!("cert_time_to_seconds({input:?})"), ours, py);
    }
    tally.finish("cert_time_to_seconds", 60);
}

#[test]
fn der_pem_conversions_match_cpython() {
    let mut rng = Lcg(0xde12_0be3);
    let mut ders: Vec<Vec<u8>> = Vec::new();
    for len in (0..=130).chain([191, 192, 193, 1000, 4097]) {
        ders.push((0..len).map(|_| rng.below(256) as u8).collect());
    }
    let mut pems: Vec<String> = ders.iter().map(|d| der_cert_to_pem_cert(d)).collect();
    let h = "-----BEGIN CERTIFICATE-----";
    let f = "-----END CERTIFICATE-----";
    let fixed: Vec<String> = vec![
        String::new(),
        "x".into(),
        h.into(),
        f.into(),
        format!("{h}\n"),
        format!("{h}{f}"),
        format!("{h}\n{f}"),
        "-----BEGIN CERTIFICATE-----END CERTIFICATE-----".into(),
        "-----BEGIN CERTIFICATE----END CERTIFICATE-----".into(),
        format!(" {h}\nQUJD\n{f}\n"),
        format!("\n{h}\nQUJD\n{f}\n"),
        format!("{h}\r\nQUJD\r\n{f}\r\n"),
        format!("{h}\nQUJD\n{f}\n\n\t \u{2028}\u{3000}\u{1c}"),
        format!("{h}\nQUJD\n{f}\u{200b}"),
        format!("{h}\nQUJD\n{f}x"),
        format!("{h}\nQUJD\n-----END CERTIFICATE----\n"),
        format!("{h}\nQUJD\n-----end certificate-----\n"),
        "-----begin certificate-----\nQUJD\n-----END CERTIFICATE-----\n".into(),
        format!("{h}\nQQ\n{f}\n"),
        format!("{h}\nQQ=\n{f}\n"),
        format!("{h}\nQQ==\n{f}\n"),
        format!("{h}\nQ\n{f}\n"),
        format!("{h}\nQUJDR\n{f}\n"),
        format!("{h}\nQUJDRA\n{f}\n"),
        format!("{h}\nQUJDRA=\n{f}\n"),
        format!("{h}\nQUJD=\n{f}\n"),
        format!("{h}\nQ=Q==\n{f}\n"),
        format!("{h}\nQQ=x=\n{f}\n"),
        format!("{h}\nQUI=QUI=\n{f}\n"),
        format!("{h}\n==QQ==\n{f}\n"),
        format!("{h}\nQQ==QUJD\n{f}\n"),
        format!("{h}\nQ U\tJ!D-R*A.=@=\n{f}\n"),
        format!("{h}\nQUJD\0RA==\n{f}\n"),
        format!("{h}\nQUJ-D_RA==\n{f}\n"),
        format!("{h}\nQUJDé\n{f}\n"),
        format!("{h}\néQUJD\n{f}\n"),
        format!("{h}\nQUJDéè\n{f}\n"),
        format!("{h}\nQU\u{2028}JD\n{f}\n"),
        format!("{h}\nQU\u{10000}JD\u{10001}\n{f}\n"),
        format!("{h}\n\u{ff21}\u{ff21}\n{f}\n"),
        format!("{h}é\n{f}\n"),
        format!("{h}\nQUJD\n{f}é"),
        format!("{h}\nQUJD\n{f}\nQUJD\n{f}\n"),
        format!("{h}\nQUJD\n{h}\nRA==\n{f}\n"),
        format!("{h}\n{}\n{f}\n", "A".repeat(1000)),
    ];
    pems.extend(fixed.iter().cloned());
    let alphabet = [
        '=',
        'A',
        'z',
        '+',
        '/',
        '-',
        ' ',
        '\n',
        '\r',
        '\t',
        'é',
        '\u{2028}',
        '!',
        '\0',
        '\u{10000}',
    ];
    let seeds: Vec<String> = ders[1..12]
        .iter()
        .map(|d| der_cert_to_pem_cert(d))
        .collect();
    for _ in 0..300 {
        let seed = &seeds[rng.below(seeds.len())];
        pems.push(mutate(&mut rng, seed, &alphabet));
    }
    // Mutations of the base64 body only (header and footer kept intact).
    for _ in 0..300 {
        let seed = &seeds[rng.below(seeds.len())];
        let body = &seed[h.len()..seed.len() - f.len() - 1];
        pems.push(format!("{h}{}{f}\n", mutate(&mut rng, body, &alphabet)));
    }

    let mut requests: Vec<Json> = ders
        .iter()
        .map(|d| request("DER_cert_to_PEM_cert", json!(hex(d))))
        .collect();
    requests.extend(
        pems.iter()
            .map(|p| request("PEM_cert_to_DER_cert", json!(p))),
    );
    let answers = run_python(&requests);
    let (der_answers, pem_answers) = answers.split_at(ders.len());

    let mut to_pem = Tally::default();
    for (der, py) in ders.iter().zip(der_answers) {
        let ours = Ok(Json::from(der_cert_to_pem_cert(der)));
        to_pem.compare(
            &format!("DER_cert_to_PEM_cert({} bytes)", der.len()),
            ours,
            py,
        );
    }
    let mut to_der = Tally::default();
    for (pem, py) in pems.iter().zip(pem_answers) {
        let ours = pem_cert_to_der_cert(pem).map(|d| Json::from(hex(&d)));
        to_der.compare(&format!("PEM_cert_to_DER_cert({pem:?})"), ours, py);
    }
    // Round trips: PEM -> DER gives the DER back.
    for der in &ders {
        assert_eq!(
            &pem_cert_to_der_cert(&der_cert_to_pem_cert(der)).unwrap(),
            der
        );
    }
    to_pem.finish("DER_cert_to_PEM_cert", 100);
    to_der.finish("PEM_cert_to_DER_cert", 100);
}
