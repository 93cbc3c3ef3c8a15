//! `cargo test` runs tidy over the real workspace, so `cargo test --workspace` alone catches drift.

use super::architecture_edges;

#[test]
fn workspace_is_tidy() {
    let problems = super::check(&crate::project_root()).expect("tidy could not run");
    assert!(
        problems.is_empty(),
        "tidy problems:\n{}",
        problems.join("\n")
    );
}

#[test]
fn parses_edge_block() {
    let text = "intro\n<!-- tidy:edges -->\n```text\na: b, c\nb:\n```\nafter";
    let edges = architecture_edges(text).unwrap();
    assert_eq!(edges["a"].len(), 2);
    assert!(edges["b"].is_empty());
}

#[test]
fn missing_edge_block_is_an_error() {
    assert!(architecture_edges("no block here").is_err());
}
