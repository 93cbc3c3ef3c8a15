//! Tests of the conformance runner's sorting rules.

use std::collections::BTreeMap;

use super::{Case, Exception, sort};

fn exception(id: &str, expected: &str, actual: &str) -> (String, Exception) {
    let e = Exception {
        id: id.to_owned(),
        expected: expected.to_owned(),
        actual: actual.to_owned(),
        reason: "test".to_owned(),
    };
    (id.to_owned(), e)
}

#[test]
fn sorts_pass_divergence_failure_and_success() {
    let cases = vec![
        Case::new("a", "roundtrip", "roundtrip"),
        Case::new("b", "roundtrip", "reject"),
        Case::new("c", "reject", "accept").accepts_more(true),
        Case::new("d", "roundtrip", "reject"),
    ];
    let exceptions: BTreeMap<_, _> = [exception("d", "roundtrip", "reject")]
        .into_iter()
        .collect();
    let tally = sort("t", &cases, &exceptions).unwrap();
    assert_eq!(tally.passed, 1);
    assert_eq!(tally.known, 1);
    assert_eq!(tally.unexpected_failure.len(), 1);
    assert!(tally.unexpected_failure[0].contains("b:"));
    assert_eq!(tally.unexpected_success.len(), 1);
}

#[test]
fn stale_and_mismatched_exceptions_fail() {
    let cases = vec![Case::new("a", "x", "x"), Case::new("b", "x", "y")];
    let exceptions: BTreeMap<_, _> = [
        exception("a", "x", "y"),    // a now passes: stale
        exception("b", "x", "z"),    // b diverges differently: not covered
        exception("gone", "x", "y"), // names no case
    ]
    .into_iter()
    .collect();
    let tally = sort("t", &cases, &exceptions).unwrap();
    assert_eq!(tally.passed, 0);
    assert_eq!(tally.known, 0);
    assert_eq!(tally.unexpected_failure.len(), 3);
}

#[test]
fn duplicate_case_ids_are_an_error() {
    let cases = vec![Case::new("a", "x", "x"), Case::new("a", "x", "x")];
    assert!(sort("t", &cases, &BTreeMap::new()).is_err());
}
