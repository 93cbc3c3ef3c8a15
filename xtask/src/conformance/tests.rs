//! Tests of the conformance runner's sorting rules.

use std::collections::BTreeMap;

use super::{Case, Exception, parse_exceptions, sort};

fn exception(id: &str, expected: &str, actual: &str) -> (String, Exception) {
    let e = Exception {
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

#[test]
fn causes_are_written_once_and_each_is_checked() {
    let text = r#"
[cause.a]
text = "First cause."
[cause.b]
text = "Second cause."

[[exception]]
id = "x"
expected = "1"
actual = "2"
causes = ["a", "b"]

[[exception]]
id = "y"
expected = "1"
actual = "3"
reason = "Its own reason."
"#;
    let map = parse_exceptions(text).unwrap();
    assert_eq!(map["x"].reason, "First cause. Second cause.");
    assert_eq!(map["y"].reason, "Its own reason.");

    let unused = text.replace("causes = [\"a\", \"b\"]", "causes = [\"a\"]");
    let err = format!("{:#}", parse_exceptions(&unused).unwrap_err());
    assert!(err.contains("cause `b` is named by no exception"), "{err}");
    let undefined = text.replace("\"b\"]", "\"c\"]");
    let err = format!("{:#}", parse_exceptions(&undefined).unwrap_err());
    assert!(err.contains("undefined cause `c`"), "{err}");
    let both = text.replace("reason = ", "causes = [\"a\"]\nreason = ");
    let err = format!("{:#}", parse_exceptions(&both).unwrap_err());
    assert!(err.contains("both a reason and causes"), "{err}");
    let neither = text.replace("reason = \"Its own reason.\"", "");
    let err = format!("{:#}", parse_exceptions(&neither).unwrap_err());
    assert!(err.contains("`y` has no reason"), "{err}");
}
