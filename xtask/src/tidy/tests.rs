//! `cargo test` runs tidy over the real workspace, so `cargo test --workspace` alone catches drift.

use super::{architecture_edges, names_outside_folder};

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

#[test]
fn a_path_to_the_folder_beside_the_checkout_is_named() {
    let beside = concat!(
        "include_str!(\"../../../../sh",
        "ared/vec",
        "tors/roca/cert04.pem\")"
    );
    assert!(names_outside_folder(beside).is_some());
    let joined = concat!("root().join(\"..\").join(\"", "shared\")");
    assert!(names_outside_folder(joined).is_some());
    let vendored = "include_str!(\"../../../tests/upstream/vectors/roca/cert04.pem\")";
    assert_eq!(names_outside_folder(vendored), None);
    assert_eq!(names_outside_folder("a shared secret, shared_info"), None);
}
