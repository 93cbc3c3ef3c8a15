//! Redaction tests on real multi-manifest stores.

use super::*;
use crate::hashed_uri::HashedUri;
use crate::store::HashAlg;
use crate::testutil::store_of;

/// Every hashed URI of every claim in `store` still matches the bytes it points at.
fn claims_still_match(store: &ManifestStore, except_redacted: &[String]) {
    for m in store.manifests() {
        let claim = m.claim().unwrap();
        for r in claim.assertion_refs() {
            let absolute = format!("{}/{}", m.uri(), r.url.strip_prefix("self#jumbf=").unwrap());
            if except_redacted.contains(&absolute) {
                continue;
            }
            let HashedUri { url, hash, .. } = r;
            let node = store
                .resolve(url, Some(&m))
                .unwrap_or_else(|| panic!("{url} gone"));
            assert_eq!(
                &HashAlg::Sha256.digest(store.hashed_bytes(node)),
                hash,
                "{url}"
            );
        }
    }
}

#[test]
fn removing_an_ingredient_thumbnail_keeps_every_other_byte() {
    let store = store_of("rs/CACA.jpg");
    let parent = store.manifests().next().unwrap();
    let thumb = parent
        .assertion_refs()
        .find(|a| a.label().starts_with("c2pa.thumbnail.claim"))
        .unwrap();
    let uri = thumb.uri();
    let before_active = store
        .hashed_bytes(store.active_manifest().unwrap().node())
        .to_vec();
    let out = redact(&store, &[&uri], RedactionForm::Remove, &Limits::default()).unwrap();
    assert_eq!(out.redacted, vec![uri.clone()]);
    assert!(out.removed_manifests.is_empty());
    assert!(
        out.store
            .manifest(parent.label().unwrap())
            .unwrap()
            .assertion(thumb.label())
            .is_none()
    );
    // The active manifest is byte-identical; every other reference still verifies.
    assert_eq!(
        out.store
            .hashed_bytes(out.store.active_manifest().unwrap().node()),
        before_active.as_slice()
    );
    claims_still_match(&out.store, std::slice::from_ref(&uri));
    assert_eq!(
        out.store.as_bytes().len(),
        store.as_bytes().len() - thumb.node().span.whole().len()
    );
}

#[test]
fn placeholder_redaction_keeps_the_labelled_box() {
    let store = store_of("rs/CACA.jpg");
    let parent = store.manifests().next().unwrap();
    let thumb = parent
        .assertion_refs()
        .find(|a| a.label().starts_with("c2pa.thumbnail"))
        .unwrap();
    let label = thumb.label().to_owned();
    let out = redact(
        &store,
        &[&thumb.uri()],
        RedactionForm::Placeholder { zeros: 16 },
        &Limits::default(),
    )
    .unwrap();
    let m = out.store.manifest(parent.label().unwrap()).unwrap();
    let kept = m.assertion(&label).unwrap();
    assert!(kept.is_redacted());
    assert_eq!(kept.content().unwrap(), Content::Redacted { zeros: 16 });
    claims_still_match(&out.store, &[thumb.uri()]);
}

#[test]
fn actions_and_hard_bindings_are_never_redacted() {
    let store = store_of("rs/CACA.jpg");
    let parent = store.manifests().next().unwrap();
    for a in parent.assertion_refs() {
        let l = a.parsed_label();
        if l.kind() == AssertionKind::Actions || l.is_hard_binding() {
            assert_eq!(
                redact(
                    &store,
                    &[&a.uri()],
                    RedactionForm::Remove,
                    &Limits::default()
                ),
                Err(RedactionError::Forbidden {
                    label: a.label().to_owned()
                })
            );
        }
    }
    assert!(matches!(
        redact(
            &store,
            &["self#jumbf=/c2pa/nope/c2pa.assertions/x"],
            RedactionForm::Remove,
            &Limits::default()
        ),
        Err(RedactionError::NotFound { .. })
    ));
}

#[test]
fn redacting_an_ingredient_removes_its_orphaned_manifest() {
    let store = store_of("rs/CACA.jpg");
    let count = store.manifests().count();
    assert!(count >= 2);
    // The active manifest's ingredient that points at another manifest of the store.
    let active = store.active_manifest().unwrap();
    let (uri, target) = active
        .assertion_refs()
        .find_map(|a| match a.decode().ok()? {
            Assertion::Ingredient(i) => {
                let url = i.active_manifest.as_ref()?.url.clone();
                Some((a.uri(), referenced_manifest(&url)?.to_owned()))
            }
            _ => None,
        })
        .unwrap();
    let out = redact(&store, &[&uri], RedactionForm::Remove, &Limits::default()).unwrap();
    assert!(out.removed_manifests.contains(&target));
    assert!(out.store.manifest(&target).is_none());
    assert!(out.store.manifests().count() < count);
    // Every remaining claim reference still matches, but the redacted one (which the
    // redacting manifest records in its `redacted_assertions`).
    claims_still_match(&out.store, &out.redacted);
}
