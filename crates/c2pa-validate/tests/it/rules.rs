//! Assertion rules of C2PA 2.2 §15.10 on stores built piece by piece: the first actions
//! assertion of a v2 claim starts with `c2pa.created` or `c2pa.opened` (§15.10.1.2), icons of
//! software agents are checked references (§15.10.3.2.2, §15.10.3.3), a `c2pa.redacted` action
//! names an assertion.

use ciborium::Value;
use signet_c2pa_model::assertion::{Content, NewAssertion};
use signet_c2pa_validate::trust::{ID_KP_CLAIM_SIGNING, TrustConfig};
use signet_c2pa_validate::{Report, StatusCode, ValidationState, Validator};
use signet_crypto::Verifier;

use crate::pki::{Pki, at, now_secs};
use crate::store::{self, text};

const ASSET: &[u8] = b"the asset these stores bind";

fn validate(pki: &Pki, assertions: &[NewAssertion]) -> Report {
    let mut all = vec![store::data_hash(ASSET)];
    all.extend_from_slice(assertions);
    let built = store::build(&all, &pki.leaf.key, &pki.x5chain(), None);
    let mut trust = TrustConfig::new();
    trust
        .add_signer_anchors(ID_KP_CLAIM_SIGNING, &pki.root.der())
        .unwrap();
    Validator::new(&trust, &Verifier, at(now_secs()))
        .validate_with_store(built, std::io::Cursor::new(ASSET))
        .unwrap()
}

fn failures(r: &Report) -> Vec<StatusCode> {
    r.active.failure.iter().map(|s| s.code.clone()).collect()
}

fn actions(list: Vec<Value>, agents: Option<Vec<Value>>) -> NewAssertion {
    let mut m = vec![(text("actions"), Value::Array(list))];
    if let Some(a) = agents {
        m.push((text("softwareAgents"), Value::Array(a)));
    }
    store::assertion("c2pa.actions.v2", &Value::Map(m))
}

fn action(name: &str, extra: Vec<(Value, Value)>) -> Value {
    let mut m = vec![(text("action"), text(name))];
    if name == "c2pa.created" {
        m.push((
            text("digitalSourceType"),
            text("http://cv.iptc.org/newscodes/digitalsourcetype/digitalCreation"),
        ));
    }
    m.extend(extra);
    Value::Map(m)
}

#[test]
fn a_v2_claim_starts_with_created_or_opened() {
    let pki = Pki::new(now_secs() - 86_400);
    let r = validate(&pki, &[store::created()]);
    assert_eq!(r.state, ValidationState::Trusted, "{:#?}", r.active);

    let r = validate(&pki, &[actions(vec![action("c2pa.edited", vec![])], None)]);
    assert_eq!(failures(&r), [StatusCode::AssertionActionMalformed]);
    let r = validate(&pki, &[]);
    assert_eq!(failures(&r), [StatusCode::AssertionActionMalformed]);
    // An empty actions array.
    let r = validate(&pki, &[actions(Vec::new(), None)]);
    assert!(failures(&r).contains(&StatusCode::AssertionActionMalformed));
}

#[test]
fn software_agent_icons_are_checked_references() {
    let pki = Pki::new(now_secs() - 86_400);
    let icon = NewAssertion::new(
        "c2pa.icon",
        Content::Cbor(signet_c2pa_model::cbor::encode(&Value::Bytes(vec![1, 2, 3])).unwrap()),
    );
    let agent =
        |icon: Value| Value::Map(vec![(text("name"), text("Editor")), (text("icon"), icon)]);
    let with_icon = |icon_ref: Value| {
        actions(
            vec![action(
                "c2pa.created",
                vec![(text("softwareAgentIndex"), Value::Integer(0.into()))],
            )],
            Some(vec![agent(icon_ref)]),
        )
    };
    let good = store::hashed_uri(&icon);
    let r = validate(&pki, &[icon.clone(), with_icon(good.clone())]);
    assert_eq!(r.state, ValidationState::Trusted, "{:#?}", r.active);

    let mut wrong = good.clone();
    if let Value::Map(m) = &mut wrong {
        m[1].1 = Value::Bytes(vec![0; 32]);
    }
    let r = validate(&pki, &[icon.clone(), with_icon(wrong)]);
    assert_eq!(failures(&r), [StatusCode::HashedUriMismatch]);

    let r = validate(&pki, &[with_icon(good)]);
    assert_eq!(failures(&r), [StatusCode::HashedUriMissing]);
}

#[test]
fn a_redacted_action_names_an_assertion() {
    let pki = Pki::new(now_secs() - 86_400);
    let redacted = |uri: &str| {
        actions(
            vec![
                action("c2pa.created", vec![]),
                action(
                    "c2pa.redacted",
                    vec![
                        (text("reason"), text("c2pa.PII.present")),
                        (
                            text("parameters"),
                            Value::Map(vec![(text("redacted"), text(uri))]),
                        ),
                    ],
                ),
            ],
            None,
        )
    };
    // Neither present nor listed in redacted_assertions.
    let r = validate(
        &pki,
        &[redacted(
            "self#jumbf=/c2pa/urn:c2pa:00000000-0000-4000-8000-000000000000/c2pa.assertions/x",
        )],
    );
    assert_eq!(failures(&r), [StatusCode::AssertionActionRedactionMismatch]);
    let r = validate(&pki, &[redacted("not a jumbf uri")]);
    assert_eq!(failures(&r), [StatusCode::AssertionActionRedactionMismatch]);
}

/// An empty `instanceID` is `claim.malformed`, and the explanation says what is wrong with it
/// (it used to say the claim "lacks required fields", as if it were absent).
#[test]
fn an_empty_instance_id_is_malformed_and_named() {
    let pki = Pki::new(now_secs() - 86_400);
    let built = store::build_with_instance_id(
        &[store::data_hash(ASSET), store::created()],
        &pki.leaf.key,
        &pki.x5chain(),
        None,
        "",
    );
    let mut trust = TrustConfig::new();
    trust
        .add_signer_anchors(ID_KP_CLAIM_SIGNING, &pki.root.der())
        .unwrap();
    let r = Validator::new(&trust, &Verifier, at(now_secs()))
        .validate_with_store(built, std::io::Cursor::new(ASSET))
        .unwrap();
    let malformed = claim_malformed(&r);
    assert_eq!(malformed.len(), 1, "{:#?}", r.active);
    let why = malformed[0].explanation.as_deref().unwrap();
    assert!(why.contains("instanceID is empty"), "{why}");
    assert!(!why.contains("lacks required fields"), "{why}");
    assert_eq!(r.state, ValidationState::Invalid);
}

/// A manifest box must be labelled with a c2pa URN (C2PA 2.2 §8.3) or, in 1.x stores, the
/// deprecated `urn:uuid` form; any other label is `claim.malformed`, naming the label.
#[test]
fn a_manifest_label_that_is_not_a_c2pa_urn_is_malformed() {
    let pki = Pki::new(now_secs() - 86_400);
    let mut trust = TrustConfig::new();
    trust
        .add_signer_anchors(ID_KP_CLAIM_SIGNING, &pki.root.der())
        .unwrap();
    let judge = |label: &str| {
        let built = store::build_labelled(
            &[store::data_hash(ASSET), store::created()],
            &pki.leaf.key,
            &pki.x5chain(),
            None,
            "xmp:iid:5ea1b2c3-0000-4000-8000-000000000002",
            label,
        );
        Validator::new(&trust, &Verifier, at(now_secs()))
            .validate_with_store(built, std::io::Cursor::new(ASSET))
            .unwrap()
    };
    for label in [
        "manifest-1",
        "urn:c2pa:not-a-uuid",
        "urn:c2pa:5ea1b2c3-0000-4000-8000-000000000001:acme:2",
    ] {
        let r = judge(label);
        assert_eq!(r.state, ValidationState::Invalid, "{label}");
        let malformed = claim_malformed(&r);
        assert_eq!(malformed.len(), 1, "{label}: {:#?}", r.active);
        let why = malformed[0].explanation.as_deref().unwrap();
        assert!(why.contains(label) && why.contains("§8.3"), "{why}");
    }
    for label in [
        "urn:c2pa:5ea1b2c3-0000-4000-8000-000000000001:acme:2_1",
        "acme:urn:uuid:5ea1b2c3-0000-4000-8000-000000000001",
    ] {
        assert_eq!(judge(label).state, ValidationState::Trusted, "{label}");
    }
}

/// The active manifest's `claim.malformed` failures.
fn claim_malformed(r: &Report) -> Vec<&signet_c2pa_validate::Status> {
    r.active
        .failure
        .iter()
        .filter(|s| s.code == StatusCode::ClaimMalformed)
        .collect()
}
