//! Certificate times: `cert_time_to_seconds`. Mode byte 0: the rest as any
//! text (must give a value or a ValueError). Otherwise a valid time is built
//! from the bytes, written as OpenSSL prints it (`"Jan  5 09:34:43 2018
//! GMT"`), and must give the seconds the `time` crate computes.
#![no_main]

use ssl_api::cert_time_to_seconds;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode == 0 {
        if let Ok(text) = std::str::from_utf8(rest) {
            if let Err(e) = cert_time_to_seconds(text) {
                assert_eq!(e.python_type(), "ValueError", "{e}");
            }
        }
        return;
    }
    let mut u = arbitrary::Unstructured::new(rest);
    let (Ok(m), Ok(day), Ok(h), Ok(min), Ok(s), Ok(year)) = (
        u.int_in_range(0u8..=11),
        u.int_in_range(1u8..=31),
        u.int_in_range(0u8..=23),
        u.int_in_range(0u8..=59),
        u.int_in_range(0u8..=59),
        u.int_in_range(1i32..=9999),
    ) else {
        return;
    };
    let month = time::Month::try_from(m + 1).expect("1..=12");
    let Ok(date) = time::Date::from_calendar_date(year, month, day) else {
        return; // Feb 30 and the like: CPython rolls them over, not modelled
    };
    let expected = date
        .with_hms(h, min, s)
        .expect("valid time")
        .assume_utc()
        .unix_timestamp();
    let text = format!(
        "{} {day:>2} {h:02}:{min:02}:{s:02} {year:04} GMT",
        MONTHS[usize::from(m)]
    );
    assert_eq!(cert_time_to_seconds(&text).ok(), Some(expected), "{text:?}");
});
