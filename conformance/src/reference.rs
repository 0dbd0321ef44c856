//! The rows of the API reference (`ssl-module-reference.md`, embedded from
//! `conformance/data/`), so the report can show which rows have cases and
//! which have none yet.

/// One row of the reference: its id, section and member name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceRow {
    /// The row id (`E1`, `X7`, `X23+`).
    pub id: String,
    /// The section heading (`X. SSLContext (18.2.3)`).
    pub section: String,
    /// The member or group name column.
    pub name: String,
}

/// The reference text this build embeds.
pub const REFERENCE_MD: &str = include_str!("../data/ssl-module-reference.md");

/// Every row of the reference, in document order.
pub fn rows() -> Vec<ReferenceRow> {
    parse(REFERENCE_MD)
}

/// Parses the markdown tables of the reference: `## <section>` headings and
/// `| id | name | ... |` rows whose id is a letter followed by digits.
pub fn parse(markdown: &str) -> Vec<ReferenceRow> {
    let mut section = String::new();
    let mut out = Vec::new();
    for line in markdown.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            section = h.trim().to_string();
            continue;
        }
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 || !cells[0].is_empty() {
            continue;
        }
        let id = cells[1];
        let mut chars = id.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_uppercase())
            && id[1..]
                .trim_end_matches('+')
                .chars()
                .all(|c| c.is_ascii_digit())
            && id.len() > 1;
        if valid {
            out.push(ReferenceRow {
                id: id.to_string(),
                section: section.clone(),
                name: cells[2].to_string(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_section() {
        let rows = rows();
        assert!(rows.len() >= 78, "{} rows", rows.len());
        for id in ["E1", "F15", "C10", "X1", "X23+", "S16", "O2", "N1", "P4"] {
            assert!(rows.iter().any(|r| r.id == id), "{id} missing");
        }
        let x7 = rows.iter().find(|r| r.id == "X7").unwrap();
        assert!(x7.section.starts_with("X. SSLContext"), "{}", x7.section);
        assert!(x7.name.starts_with("load_cert_chain"), "{}", x7.name);
    }

    /// Every row of the reference has a case (F14 / F15, Windows only,
    /// report "not supported" elsewhere and run for real on Windows), and
    /// every id a case names is a row of the reference.
    #[test]
    fn rows_without_a_case() {
        let rows = rows();
        let covered = |id: &str| {
            crate::cases::CASE_REFS
                .iter()
                .any(|(_, refs)| refs.contains(&id))
        };
        let missing: Vec<&str> = rows
            .iter()
            .map(|r| r.id.as_str())
            .filter(|id| !covered(id))
            .collect();
        assert!(missing.is_empty(), "rows without a case: {missing:?}");
        for (case, refs) in crate::cases::CASE_REFS {
            for id in *refs {
                assert!(rows.iter().any(|r| r.id == *id), "{case}: no row {id}");
            }
        }
    }

    /// The embedded copy is the project's reference (checked where the
    /// shared folder is beside the repository, as in CI).
    #[test]
    fn embedded_copy_is_current() {
        let shared = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/ssl-module-reference.md"
        );
        if let Ok(text) = std::fs::read_to_string(shared) {
            assert_eq!(
                text, REFERENCE_MD,
                "refresh conformance/data/ssl-module-reference.md"
            );
        }
    }
}
