//! Status codes against the text of the specification.
#![allow(
    clippy::disallowed_methods,
    reason = "tests read the specification and trust lists from tests/upstream"
)]

use std::collections::BTreeSet;

use super::{StatusCode, StatusKind};

/// The specification text (`tests/upstream/spec/`, CC BY 4.0).
fn spec_text() -> String {
    let upstream = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/upstream");
    std::fs::read_to_string(upstream.join("spec/c2pa-spec-2.2.txt"))
        .expect("the C2PA 2.2 specification under tests/upstream/spec")
}

/// The codes of the three §15.2.2 tables, with the table each is in.
fn table_codes(spec: &str) -> Vec<(String, StatusKind)> {
    let start = spec
        .find("##### 15.2.2.1. Success codes")
        .expect("success table");
    let end = spec.find("### 15.3. Displaying").expect("end of tables");
    let mut kind = StatusKind::Success;
    let mut out = Vec::new();
    for line in spec[start..end].lines() {
        if line.starts_with("##### 15.2.2.2") {
            kind = StatusKind::Informational;
        } else if line.starts_with("##### 15.2.2.3") {
            kind = StatusKind::Failure;
        }
        let l = line.trim();
        let is_code = !l.is_empty()
            && l.contains('.')
            && !l.contains(' ')
            && l.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if is_code {
            out.push((l.to_owned(), kind));
        }
    }
    out
}

#[test]
fn every_table_code_is_defined_with_its_kind() {
    let spec = spec_text();
    let codes = table_codes(&spec);
    assert!(codes.len() > 80, "found only {} codes", codes.len());
    for (text, kind) in &codes {
        let code = StatusCode::parse(text);
        assert!(
            !matches!(code, StatusCode::Other(_)),
            "{text} is not defined"
        );
        assert_eq!(code.kind(), *kind, "{text}");
        assert_eq!(code.as_str(), text);
    }
}

#[test]
fn every_defined_code_is_in_the_specification() {
    let spec = spec_text();
    let tables: BTreeSet<String> = table_codes(&spec).into_iter().map(|(c, _)| c).collect();
    for code in StatusCode::ALL {
        let text = code.as_str();
        assert!(
            tables.contains(text) || spec.contains(&format!("\"{text}\"")) || spec.contains(text),
            "{text} does not occur in the specification"
        );
        assert_eq!(StatusCode::parse(text), *code);
    }
}

#[test]
fn unknown_codes_are_kept_and_informational() {
    let code = StatusCode::parse("com.example.custom");
    assert_eq!(code, StatusCode::Other("com.example.custom".into()));
    assert_eq!(code.as_str(), "com.example.custom");
    assert_eq!(code.kind(), StatusKind::Informational);
    assert_eq!(
        StatusCode::parse("signingCredential.untrusted").kind(),
        StatusKind::Failure
    );
}
