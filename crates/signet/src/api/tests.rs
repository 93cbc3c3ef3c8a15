//! The document describes exactly the implemented routes, with the same roles.

use super::*;

#[test]
fn the_openapi_document_lists_every_route_with_its_roles_and_nothing_else() {
    let doc: Value = serde_json::from_str(OPENAPI).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = Vec::new();
    for (path, ops) in paths {
        for (method, op) in ops.as_object().unwrap() {
            let roles: Vec<&str> = op["x-roles"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path}: no x-roles"))
                .iter()
                .map(|r| r.as_str().unwrap())
                .collect();
            documented.push((method.to_ascii_uppercase(), path.clone(), roles));
        }
    }
    documented.sort();
    let mut implemented: Vec<(String, String, Vec<&str>)> = ROUTES
        .iter()
        .map(|(m, p, roles)| {
            (
                (*m).to_owned(),
                (*p).to_owned(),
                roles.iter().map(|r| r.name()).collect(),
            )
        })
        .collect();
    implemented.sort();
    assert_eq!(documented, implemented);
}

#[test]
fn path_patterns_match_one_segment_per_parameter() {
    assert_eq!(
        matches("/api/v1/certificates/{serial}", "/api/v1/certificates/0A1B"),
        Some(vec!["0A1B"])
    );
    assert_eq!(
        matches("/api/v1/certificates/{serial}", "/api/v1/certificates/"),
        None
    );
    assert_eq!(
        matches("/api/v1/certificates/{serial}", "/api/v1/certificates/a/b"),
        None
    );
    assert_eq!(matches("/api/v1/audit", "/api/v1/audit"), Some(vec![]));
}
