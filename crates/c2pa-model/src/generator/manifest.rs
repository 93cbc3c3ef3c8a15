//! Assembling a manifest store: the ingredients' manifests copied byte-exact, then the new
//! manifest (assertion store, claim, claim signature) last, as the active manifest.
//!
//! Everything but the hard binding and the signature is fixed when [`Prepared::new`] returns,
//! so the store can be laid out with placeholder hashes and a placeholder signature of the final
//! size, and rebuilt with the real values at exactly the same length.

use ciborium::Value;
use signet_asn1_types::crypto::SecureRandom;

use super::{GeneratorError, IngredientInput, ManifestDefinition};
use crate::assertion::{
    Action, ActionParameters, Actions, CborAssertion, Content, Ingredient, LabelAllocator,
    NewAssertion, Relationship,
};
use crate::cbor::{self, canonical_map};
use crate::claim::ClaimVersion;
use crate::hashed_uri::HashedUri;
use crate::jumbf::{self, NewDescription};
use crate::store::{ASSERTIONS_LABEL, HashAlg, ManifestStore, SIGNATURE_LABEL, uuid};

/// Label of the hard-binding assertion's place in the claim (assertions are referenced by
/// manifest-relative URIs).
fn relative_uri(label: &str) -> String {
    format!("self#jumbf={ASSERTIONS_LABEL}/{label}")
}

/// A boxed assertion and the hashed URI the claim lists it under.
struct Boxed {
    bytes: Vec<u8>,
    reference: HashedUri,
    gathered: bool,
}

fn boxed(a: &NewAssertion, alg: HashAlg, gathered: bool) -> Result<Boxed, GeneratorError> {
    let bytes = a.to_jumbf()?;
    // A hashed URI covers the superbox without its header (§8.4.2.3); assertions written here
    // always have the 8-byte form.
    let hash = alg.digest(bytes.get(8..).unwrap_or_default());
    Ok(Boxed {
        bytes,
        reference: HashedUri {
            url: relative_uri(&a.label),
            alg: None,
            hash,
        },
        gathered,
    })
}

/// A random UUID v4 string.
pub(crate) fn uuid_v4(rng: &dyn SecureRandom) -> Result<String, GeneratorError> {
    let mut b = [0u8; 16];
    rng.fill(&mut b).map_err(|_| GeneratorError::Random)?;
    if let Some(x) = b.get_mut(6) {
        *x = (*x & 0x0F) | 0x40;
    }
    if let Some(x) = b.get_mut(8) {
        *x = (*x & 0x3F) | 0x80;
    }
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let part = |r: core::ops::Range<usize>| h.get(r).unwrap_or_default().to_owned();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        part(0..8),
        part(8..12),
        part(12..16),
        part(16..20),
        part(20..32)
    ))
}

/// Everything of the new manifest but its hard binding and signature.
pub(crate) struct Prepared {
    pub(crate) manifest_label: String,
    pub(crate) instance_id: String,
    version: ClaimVersion,
    alg: HashAlg,
    /// The ingredients' manifest stores' top-level boxes, byte-exact, de-duplicated.
    copied: Vec<Vec<u8>>,
    /// Assertions before the hard binding (ingredients, thumbnails, actions, custom).
    assertions: Vec<Boxed>,
    redacted: Vec<String>,
    claim_generator_info: Value,
    claim_generator: String,
    title: Option<String>,
    format: Option<String>,
}

impl Prepared {
    pub(crate) fn new(
        def: &ManifestDefinition,
        rng: &dyn SecureRandom,
    ) -> Result<Self, GeneratorError> {
        let manifest_label = format!("urn:c2pa:{}", uuid_v4(rng)?);
        let instance_id = format!("xmp:iid:{}", uuid_v4(rng)?);
        let alg = def.alg;
        let mut labels = LabelAllocator::default();
        let mut assertions = Vec::new();
        let mut copied: Vec<Vec<u8>> = Vec::new();
        let mut copied_labels: Vec<(String, usize)> = Vec::new();
        let mut redacted = Vec::new();
        let mut first_actions: Vec<Action> = Vec::new();
        let mut placed: Vec<HashedUri> = Vec::new();
        let mut has_parent = false;

        for input in &def.ingredients {
            let reference = ingredient_assertion(
                input,
                alg,
                &mut labels,
                &mut assertions,
                &mut copied,
                &mut copied_labels,
            )?;
            redacted.extend(input.redacted.iter().cloned());
            match input.relationship {
                Relationship::ParentOf => {
                    if has_parent {
                        return Err(GeneratorError::Ingredient {
                            what: "more than one parentOf ingredient (C2PA 2.2 §18.15.3)",
                        });
                    }
                    has_parent = true;
                    let mut opened = Action::new("c2pa.opened");
                    opened.parameters = Some(ActionParameters {
                        ingredients: vec![reference],
                        ..ActionParameters::default()
                    });
                    first_actions.insert(0, opened);
                }
                Relationship::ComponentOf => placed.push(reference),
                _ => {}
            }
        }
        if !has_parent {
            let mut created = Action::new("c2pa.created");
            created.digital_source_type = Some(def.digital_source_type.clone());
            first_actions.insert(0, created);
        }
        for reference in placed {
            let mut action = Action::new("c2pa.placed");
            action.parameters = Some(ActionParameters {
                ingredients: vec![reference],
                ..ActionParameters::default()
            });
            first_actions.push(action);
        }
        for uri in &redacted {
            let mut action = Action::new("c2pa.redacted");
            action.reason = Some(def.redaction_reason.clone());
            action.parameters = Some(ActionParameters {
                redacted: Some(uri.clone()),
                ..ActionParameters::default()
            });
            first_actions.push(action);
        }
        for a in &def.actions {
            if a.action == "c2pa.created" || a.action == "c2pa.opened" {
                return Err(GeneratorError::Ingredient {
                    what: "c2pa.created/c2pa.opened are added by the generator; list only later \
                           actions (C2PA 2.2 §18.14.2)",
                });
            }
            first_actions.push(a.clone());
        }
        if let Some(thumbnail) = &def.thumbnail {
            let label = labels.next("c2pa.thumbnail.claim");
            let a = NewAssertion::new(label, Content::EmbeddedFile(thumbnail.clone()));
            assertions.push(boxed(&a, alg, false)?);
        }
        let mut actions = Actions::v2(first_actions);
        actions.all_actions_included = def.all_actions_included;
        let label = labels.next("c2pa.actions.v2");
        let d = actions.encode()?;
        assertions.push(boxed(
            &NewAssertion::new(label, Content::Cbor(d.bytes().to_vec())),
            alg,
            false,
        )?);
        for (list, gathered) in [(&def.assertions, false), (&def.gathered, true)] {
            for a in list {
                check_custom_label(&a.label)?;
                let label = labels.next(&a.label);
                if label != a.label {
                    return Err(GeneratorError::DuplicateLabel {
                        label: a.label.clone(),
                    });
                }
                assertions.push(boxed(a, alg, gathered)?);
            }
        }
        let info = {
            let mut entries = vec![
                ("name", cbor::text(def.generator_name.clone())),
                ("version", cbor::text(def.generator_version.clone())),
            ];
            entries.retain(|(_, v)| v.as_text().is_some_and(|t| !t.is_empty()));
            canonical_map(entries)
        };
        Ok(Self {
            manifest_label,
            instance_id,
            version: def.claim_version,
            alg,
            copied,
            assertions,
            redacted,
            claim_generator_info: info,
            claim_generator: format!("{}/{}", def.generator_name, def.generator_version),
            title: def.title.clone(),
            format: def.format.clone(),
        })
    }

    /// The claim CBOR for this hard binding.
    pub(crate) fn claim(&self, binding: &NewAssertion) -> Result<Vec<u8>, GeneratorError> {
        let b = boxed(binding, self.alg, false)?;
        self.claim_for(&b)
    }

    fn claim_for(&self, binding: &Boxed) -> Result<Vec<u8>, GeneratorError> {
        let refs = |gathered: bool| -> Vec<Value> {
            self.assertions
                .iter()
                .chain(core::iter::once(binding))
                .filter(|a| a.gathered == gathered)
                .map(|a| a.reference.to_value())
                .collect()
        };
        let signature = cbor::text(format!("self#jumbf={SIGNATURE_LABEL}"));
        let mut entries = vec![
            ("instanceID", cbor::text(self.instance_id.clone())),
            ("signature", signature),
            ("alg", cbor::text(self.alg.name())),
        ];
        match self.version {
            ClaimVersion::V2 => {
                entries.push(("claim_generator_info", self.claim_generator_info.clone()));
                entries.push(("created_assertions", Value::Array(refs(false))));
                let gathered = refs(true);
                if !gathered.is_empty() {
                    entries.push(("gathered_assertions", Value::Array(gathered)));
                }
            }
            ClaimVersion::V1 => {
                let mut all = refs(false);
                all.extend(refs(true));
                entries.push((
                    "claim_generator_info",
                    Value::Array(vec![self.claim_generator_info.clone()]),
                ));
                entries.push(("claim_generator", cbor::text(self.claim_generator.clone())));
                entries.push(("assertions", Value::Array(all)));
                entries.push((
                    "dc:format",
                    cbor::text(self.format.clone().ok_or(GeneratorError::Ingredient {
                        what: "a v1 claim needs the asset's dc:format",
                    })?),
                ));
            }
        }
        if !self.redacted.is_empty() {
            entries.push((
                "redacted_assertions",
                Value::Array(self.redacted.iter().cloned().map(cbor::text).collect()),
            ));
        }
        if let Some(t) = &self.title {
            entries.push(("dc:title", cbor::text(t.clone())));
        }
        Ok(cbor::encode(&canonical_map(entries))?)
    }

    /// The whole store with this binding and these signature bytes; also returns the claim.
    pub(crate) fn assemble(
        &self,
        binding: &NewAssertion,
        signature: &[u8],
    ) -> Result<(Vec<u8>, Vec<u8>), GeneratorError> {
        let b = boxed(binding, self.alg, false)?;
        let claim = self.claim_for(&b)?;
        let store = self.store_bytes(&b, &claim, signature)?;
        Ok((store, claim))
    }

    fn store_bytes(
        &self,
        binding: &Boxed,
        claim: &[u8],
        signature: &[u8],
    ) -> Result<Vec<u8>, GeneratorError> {
        let children: Vec<&[u8]> = self
            .assertions
            .iter()
            .chain(core::iter::once(binding))
            .map(|a| a.bytes.as_slice())
            .collect();
        let mut assertion_store = Vec::new();
        jumbf::write_superbox(
            &mut assertion_store,
            &NewDescription {
                uuid: uuid::ASSERTION_STORE,
                label: Some(ASSERTIONS_LABEL),
                private: None,
            },
            &children,
        )?;
        let content = |payload: &[u8]| {
            let mut v = Vec::with_capacity(payload.len().saturating_add(8));
            jumbf::write_box(&mut v, *b"cbor", payload);
            v
        };
        let claim_label = match self.version {
            ClaimVersion::V2 => crate::claim::LABEL_V2,
            ClaimVersion::V1 => crate::claim::LABEL_V1,
        };
        let mut claim_box = Vec::new();
        jumbf::write_superbox(
            &mut claim_box,
            &NewDescription {
                uuid: uuid::CLAIM,
                label: Some(claim_label),
                private: None,
            },
            &[&content(claim)],
        )?;
        let mut sig_box = Vec::new();
        jumbf::write_superbox(
            &mut sig_box,
            &NewDescription {
                uuid: uuid::SIGNATURE,
                label: Some(SIGNATURE_LABEL),
                private: None,
            },
            &[&content(signature)],
        )?;
        let mut manifest = Vec::new();
        jumbf::write_superbox(
            &mut manifest,
            &NewDescription {
                uuid: uuid::STANDARD_MANIFEST,
                label: Some(&self.manifest_label),
                private: None,
            },
            &[&assertion_store, &claim_box, &sig_box],
        )?;
        let mut top: Vec<&[u8]> = self.copied.iter().map(Vec::as_slice).collect();
        top.push(&manifest);
        let mut store = Vec::new();
        jumbf::write_superbox(
            &mut store,
            &NewDescription {
                uuid: uuid::STORE,
                label: Some("c2pa"),
                private: None,
            },
            &top,
        )?;
        Ok(store)
    }
}

/// Labels a caller may not supply: the generator writes these itself.
fn check_custom_label(label: &str) -> Result<(), GeneratorError> {
    let parsed = crate::assertion::Label::parse(label);
    use crate::assertion::AssertionKind as K;
    let reserved = parsed.is_hard_binding()
        || matches!(
            parsed.kind(),
            K::Actions | K::Ingredient | K::ClaimThumbnail | K::IngredientThumbnail
        );
    if reserved || !parsed.is_well_formed() || parsed.instance.is_some() {
        return Err(GeneratorError::ReservedLabel {
            label: label.to_owned(),
        });
    }
    Ok(())
}

/// Adds an ingredient's manifests (de-duplicated) and its thumbnail and ingredient assertions;
/// returns the hashed URI of the ingredient assertion.
fn ingredient_assertion(
    input: &IngredientInput,
    alg: HashAlg,
    labels: &mut LabelAllocator,
    assertions: &mut Vec<Boxed>,
    copied: &mut Vec<Vec<u8>>,
    copied_labels: &mut Vec<(String, usize)>,
) -> Result<HashedUri, GeneratorError> {
    let mut ingredient = Ingredient::v3(input.relationship.clone());
    ingredient.title = input.title.clone();
    ingredient.format = input.format.clone();
    ingredient.instance_id = input.instance_id.clone();
    ingredient.description = input.description.clone();
    if let Some(store) = &input.store {
        copy_store(store, copied, copied_labels)?;
        let active = store.active_manifest().ok_or(GeneratorError::Ingredient {
            what: "the ingredient's manifest store has no manifest",
        })?;
        let label = active.label().ok_or(GeneratorError::Ingredient {
            what: "the ingredient's active manifest has no label",
        })?;
        let signature = active.signature_box().ok_or(GeneratorError::Ingredient {
            what: "the ingredient's active manifest has no claim signature",
        })?;
        ingredient.active_manifest = Some(HashedUri {
            url: format!("self#jumbf=/c2pa/{label}"),
            alg: None,
            hash: alg.digest(store.hashed_bytes(active.node())),
        });
        ingredient.claim_signature = Some(HashedUri {
            url: format!("self#jumbf=/c2pa/{label}/{SIGNATURE_LABEL}"),
            alg: None,
            hash: alg.digest(store.hashed_bytes(signature)),
        });
        // §18.15.12.4.3: with an activeManifest, validationResults are required.
        ingredient.validation_results = Some(input.validation_results.clone().ok_or(
            GeneratorError::Ingredient {
                what: "an ingredient with a manifest needs the validation results of that \
                       manifest (C2PA 2.2 §18.15.12.4)",
            },
        )?);
    }
    if let Some(thumbnail) = &input.thumbnail {
        let label = labels.next("c2pa.thumbnail.ingredient");
        let a = NewAssertion::new(label.clone(), Content::EmbeddedFile(thumbnail.clone()));
        let b = boxed(&a, alg, false)?;
        ingredient.thumbnail = Some(b.reference.clone());
        assertions.push(b);
    }
    let label = labels.next("c2pa.ingredient.v3");
    let d = ingredient.encode()?;
    let b = boxed(
        &NewAssertion::new(label, Content::Cbor(d.bytes().to_vec())),
        alg,
        false,
    )?;
    let reference = b.reference.clone();
    assertions.push(b);
    Ok(reference)
}

/// Copies every top-level superbox of an ingredient's store (manifests and unknown boxes,
/// §18.15.11.1) once: a box already present with the same label and bytes is skipped.
fn copy_store(
    store: &ManifestStore,
    copied: &mut Vec<Vec<u8>>,
    copied_labels: &mut Vec<(String, usize)>,
) -> Result<(), GeneratorError> {
    for node in store.root().superboxes() {
        let bytes = store.box_bytes(node.span).to_vec();
        let label = node.label().unwrap_or_default().to_owned();
        if let Some((_, at)) = copied_labels.iter().find(|(l, _)| *l == label) {
            if copied.get(*at) == Some(&bytes) {
                continue;
            }
            return Err(GeneratorError::ManifestConflict { label });
        }
        copied_labels.push((label, copied.len()));
        copied.push(bytes);
    }
    Ok(())
}
