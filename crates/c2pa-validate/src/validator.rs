//! The validation driver (C2PA 2.2 §15): locate the store, validate the active manifest, walk
//! its ingredients (§15.11.3.3, depth-first, bounded by [`Limits`]), check the content binding
//! of the active manifest (or, for an update manifest, of the first standard manifest up its
//! `parentOf` chain, §15.12), and condense everything into a [`Report`].

use core::ops::Range;
use std::collections::BTreeSet;
use std::io::SeekFrom;

use signet_asn1_types::crypto::SignatureVerifier;
use signet_asn1_types::der::DateTime;
use signet_c2pa_model::container::{self, Format};
use signet_c2pa_model::{ContainerError, ManifestKind, ManifestStore};

use crate::assertion::{self, base_label, resolve_any};
use crate::binding::collection::CollectionSource;
use crate::binding::{self, Asset, HashProvider, Sha2Hashes};
use crate::digest::{UriDigests, UriHash};
use crate::error::Error;
use crate::external::External;
use crate::limits::Limits;
use crate::manifest::{self, IngredientRef, ManifestCheck, manifest_uri};
use crate::ocsp::OcspFetcher;
use crate::report::{IngredientDelta, Report, Status, StatusLists, ValidationState};
use crate::signature::SignatureContext;
use crate::status::{StatusCode, StatusKind};
use crate::trust::TrustConfig;

/// A configured validator.
#[derive(Clone, Copy)]
pub struct Validator<'a> {
    /// What is trusted.
    pub trust: &'a TrustConfig,
    /// The signature verifier (e.g. `signet_crypto::Verifier`).
    pub verifier: &'a dyn SignatureVerifier,
    /// The validation time ("now"): certificate validity is checked at the trusted time-stamp
    /// when there is one, else at this time.
    pub at: DateTime,
    /// Bounds on hostile input.
    pub limits: Limits,
    /// Online OCSP; `None` (the default) never goes online.
    pub ocsp_fetcher: Option<&'a dyn OcspFetcher>,
    /// The hash functions for content bindings (default: the `sha2` crate).
    pub hashes: &'a dyn HashProvider,
    /// The members of a collection data hash (§15.12.5); `None` (the default) reads none, so
    /// a collection binding reports its files as not found.
    pub collection: Option<&'a dyn CollectionSource>,
}

impl<'a> Validator<'a> {
    /// A validator with default limits and no online OCSP.
    pub fn new(trust: &'a TrustConfig, verifier: &'a dyn SignatureVerifier, at: DateTime) -> Self {
        Self {
            trust,
            verifier,
            at,
            limits: Limits::default(),
            ocsp_fetcher: None,
            hashes: &Sha2Hashes,
            collection: None,
        }
    }

    fn context(&self) -> SignatureContext<'a> {
        SignatureContext {
            trust: self.trust,
            verifier: self.verifier,
            at: self.at.unix_duration().as_secs(),
            max_certificates: self.limits.max_chain_certificates,
            fetcher: self.ocsp_fetcher,
        }
    }

    /// Validates an asset with an embedded manifest store.
    pub fn validate_asset<R: Asset>(&self, format: Format, mut asset: R) -> Result<Report, Error> {
        asset.seek(SeekFrom::Start(0))?;
        let located = match container::locate_buffered(format, &mut asset, &self.limits.container) {
            Ok(Some(l)) => l,
            Ok(None) => return Err(Error::NoManifestStore),
            Err(ContainerError::MultipleStores) => return Err(Error::MultipleManifestStores),
            Err(e) => return Err(Error::Container(e)),
        };
        let ranges = if format == Format::Sidecar {
            Vec::new()
        } else {
            located.ranges.clone()
        };
        self.validate_store(located.store, &mut asset, &ranges, Some(format))
    }

    /// Validates an asset against a manifest store supplied separately (a sidecar `.c2pa` or a
    /// remote manifest the caller fetched, §15.5.3). The asset's format is not known, so a
    /// general box hash cannot be checked: use [`Validator::validate_remote`].
    pub fn validate_with_store<R: Asset>(
        &self,
        store: Vec<u8>,
        mut asset: R,
    ) -> Result<Report, Error> {
        self.validate_store(store, &mut asset, &[], None)
    }

    /// Validates an asset of `format` against a manifest store supplied separately (a sidecar
    /// `.c2pa` or a remote manifest the caller fetched, §15.5.3).
    pub fn validate_remote<R: Asset>(
        &self,
        format: Format,
        store: Vec<u8>,
        mut asset: R,
    ) -> Result<Report, Error> {
        self.validate_store(store, &mut asset, &[], Some(format))
    }

    fn validate_store(
        &self,
        store_bytes: Vec<u8>,
        asset: &mut dyn Asset,
        store_ranges: &[Range<u64>],
        format: Option<Format>,
    ) -> Result<Report, Error> {
        let store = match ManifestStore::from_bytes(store_bytes, &self.limits.jumbf) {
            Ok(s) => s,
            Err(e) => {
                let mut active = StatusLists::default();
                active.push(Status::new(
                    StatusCode::GeneralError,
                    "self#jumbf=/c2pa",
                    format!("the manifest store cannot be parsed: {e}"),
                ));
                return Ok(Report {
                    active_manifest: String::new(),
                    active,
                    ingredient_deltas: Vec::new(),
                    state: ValidationState::Invalid,
                    manifests: Vec::new(),
                    other_manifests: Vec::new(),
                });
            }
        };
        let Some(active) = store.active_manifest() else {
            return Err(Error::NoManifestStore);
        };
        let cx = self.context();
        let external = External::scan(&store, self.limits.max_assertions);
        // One memo and one hashing budget for every manifest of this validation.
        let digests = UriDigests::new(&store, self.hashes, &self.limits);
        let mut walk = Walk {
            validator: self,
            store: &store,
            digests: &digests,
            cx: &cx,
            external: &external,
            visited: BTreeSet::new(),
            count: 0,
            deltas: Vec::new(),
            infos: Vec::new(),
        };
        let mut check = manifest::check(
            &digests,
            active,
            &[],
            self.limits.max_assertions,
            &cx,
            &external,
        );
        walk.visited.insert(check.label.clone());
        let redactions = check.redactions.clone();
        walk.ingredients(&mut check, &redactions, 1);

        // Content binding: the active manifest's, or the first standard manifest up the
        // parentOf chain of an update manifest (§15.12).
        let binding_codes =
            self.content_binding(&digests, &check, asset, store_ranges, format, &external);
        let claim_uri = manifest_uri(&check.label);
        for (url, code, why) in binding_codes {
            check.codes.push(Status::new(
                code,
                url.unwrap_or_else(|| claim_uri.clone()),
                why,
            ));
        }

        let mut manifests = vec![check.info.clone()];
        manifests.extend(walk.infos);
        // Compressed manifests no validation reached, which did not decompress.
        let other_manifests = store
            .manifests()
            .filter_map(|m| {
                let why = m.compressed_failure()?;
                let label = m.label().unwrap_or_default();
                let validated = manifests.iter().any(|i| i.label == label);
                (!validated).then(|| {
                    Status::new(
                        StatusCode::ManifestCompressedInvalid,
                        manifest_uri(label),
                        format!("compressed manifest: {why}"),
                    )
                })
            })
            .collect();
        let state = state(&check.codes, &walk.deltas);
        Ok(Report {
            active_manifest: check.label,
            active: check.codes,
            ingredient_deltas: walk.deltas,
            state,
            manifests,
            other_manifests,
        })
    }

    fn content_binding(
        &self,
        digests: &UriDigests<'_>,
        active: &ManifestCheck<'_>,
        asset: &mut dyn Asset,
        store_ranges: &[Range<u64>],
        format: Option<Format>,
        external: &External,
    ) -> Vec<(Option<String>, StatusCode, String)> {
        let store = digests.store();
        let cx = self.context();
        // Follow update manifests' parentOf ingredients to a standard manifest.
        let mut holder: Option<ManifestCheck<'_>> = None;
        let mut current_label = active.label.clone();
        let mut current_kind = active.kind;
        let mut parent = parent_manifest(active);
        let mut hops = 0usize;
        while current_kind == ManifestKind::Update {
            hops += 1;
            let next = parent.take().and_then(|label| store.manifest(&label));
            let Some(m) = next.filter(|_| hops <= self.limits.max_ingredient_depth) else {
                return vec![(
                    None,
                    StatusCode::ClaimHardBindingsMissing,
                    "no standard manifest up the update manifest's parentOf chain".into(),
                )];
            };
            let c = manifest::check(digests, m, &[], self.limits.max_assertions, &cx, external);
            current_label = c.label.clone();
            current_kind = c.kind;
            parent = parent_manifest(&c);
            holder = Some(c);
        }
        let (bindings, multi) = match &holder {
            Some(h) => (&h.hard_bindings, &h.multi_asset),
            None => (&active.hard_bindings, &active.multi_asset),
        };
        let claim_alg = holder
            .as_ref()
            .map_or(active.claim_alg.as_deref(), |h| h.claim_alg.as_deref());
        let [(label, node)] = bindings.as_slice() else {
            if holder.is_some() && bindings.is_empty() {
                return vec![(
                    None,
                    StatusCode::ClaimHardBindingsMissing,
                    "the standard manifest under the update manifest has no hard binding".into(),
                )];
            }
            return Vec::new();
        };
        let url = format!("{}/c2pa.assertions/{label}", manifest_uri(&current_label));
        let value = match assertion::cbor_value(store, node) {
            Ok(v) => v,
            Err(_) => return Vec::new(), // reported as assertion.cbor.invalid
        };
        let alg = manifest::binding_alg(&value, claim_alg);
        let codes = match base_label(label) {
            "c2pa.hash.data" => binding::data_hash(
                &value,
                alg,
                asset,
                store_ranges,
                holder.is_some(),
                self.limits.max_exclusions,
                self.hashes,
            ),
            "c2pa.hash.bmff.v2" | "c2pa.hash.bmff.v3" => {
                binding::bmff::bmff_hash(&value, alg, asset, &self.limits, self.hashes)
            }
            "c2pa.hash.collection.data" => binding::collection::collection_hash(
                &value,
                self.collection,
                self.limits.max_exclusions,
                self.hashes,
            ),
            "c2pa.hash.boxes" => binding::boxes::box_hash(
                &value,
                claim_alg,
                format,
                asset,
                store_ranges,
                &self.limits,
                self.hashes,
            ),
            other => vec![(
                StatusCode::GeneralError,
                format!("hard binding {other} is not supported by this validator"),
            )],
        };
        let mismatched = codes.iter().any(|(c, _)| {
            matches!(
                c,
                StatusCode::AssertionDataHashMismatch
                    | StatusCode::AssertionBoxesHashMismatch
                    | StatusCode::AssertionBmffHashMismatch
            )
        });
        // §15.12.4: a hard binding that does not match gives way to a multi-asset hash.
        if mismatched && let Some((multi_label, multi_node)) = multi.first() {
            let multi_url = format!(
                "{}/c2pa.assertions/{multi_label}",
                manifest_uri(&current_label)
            );
            let codes = if multi.len() > 1 {
                vec![(
                    StatusCode::AssertionMultiAssetHashMalformed,
                    "more than one multi-asset hash assertion".to_owned(),
                )]
            } else {
                match (
                    store.manifest(&current_label),
                    assertion::cbor_value(store, multi_node),
                ) {
                    (Some(manifest), Ok(value)) => binding::multi::multi_asset(
                        &binding::multi::Context {
                            digests,
                            manifest: &manifest,
                            claim_alg,
                            format,
                            store_ranges,
                            limits: &self.limits,
                            hashes: self.hashes,
                        },
                        &value,
                        asset,
                    ),
                    (_, Err(e)) => vec![(StatusCode::AssertionMultiAssetHashMalformed, e)],
                    (None, _) => Vec::new(),
                }
            };
            return codes
                .into_iter()
                .map(|(code, why)| (Some(multi_url.clone()), code, why))
                .collect();
        }
        codes
            .into_iter()
            .map(|(code, why)| (Some(url.clone()), code, why))
            .collect()
    }
}

/// The label of the manifest named by the single `parentOf` ingredient.
fn parent_manifest(check: &ManifestCheck<'_>) -> Option<String> {
    check
        .ingredients
        .iter()
        .find(|i| i.ingredient.relationship.as_deref() == Some("parentOf"))
        .and_then(|i| i.ingredient.manifest.as_ref())
        .and_then(|h| {
            let abs = manifest::absolute(&check.label, &h.url);
            assertion::manifest_label_of(&abs).map(str::to_owned)
        })
}

/// §14.3: Invalid on any failure other than `signingCredential.untrusted`; Trusted when the
/// active manifest's signing credential is trusted; Valid otherwise.
fn state(active: &StatusLists, deltas: &[IngredientDelta]) -> ValidationState {
    let invalidating = |s: &Status| s.code != StatusCode::SigningCredentialUntrusted;
    let failed = active.failure.iter().any(invalidating)
        || deltas
            .iter()
            .any(|d| d.validation_deltas.failure.iter().any(invalidating));
    let validated = active.has(&StatusCode::ClaimSignatureValidated)
        && active.has(&StatusCode::ClaimSignatureInsideValidity);
    if failed || !validated {
        ValidationState::Invalid
    } else if active.has(&StatusCode::SigningCredentialTrusted) {
        ValidationState::Trusted
    } else {
        ValidationState::Valid
    }
}

/// The recursive ingredient walk.
struct Walk<'v, 's> {
    validator: &'v Validator<'v>,
    store: &'s ManifestStore,
    digests: &'v UriDigests<'s>,
    cx: &'v SignatureContext<'v>,
    external: &'v External,
    /// Manifests on the current path (cycle prevention).
    visited: BTreeSet<String>,
    /// Ingredient manifests validated so far.
    count: usize,
    deltas: Vec<IngredientDelta>,
    infos: Vec<crate::report::ManifestInfo>,
}

impl<'s> Walk<'_, 's> {
    /// Validates the ingredients of `parent` (already checked), recording one delta per
    /// ingredient assertion; failures about the ingredient assertion itself also go to the
    /// parent's codes.
    fn ingredients(&mut self, parent: &mut ManifestCheck<'s>, redactions: &[String], depth: usize) {
        let ingredients: Vec<IngredientRef> = parent.ingredients.clone();
        for ing in ingredients {
            let mut delta = StatusLists::default();
            if !ing.intact {
                continue; // §15.11.3.3: unresolvable or mismatching ingredient: skip
            }
            let Some(hashed) = ing.ingredient.manifest.clone() else {
                if ing.ingredient.relationship.as_deref() != Some("inputTo") {
                    delta.push(Status::new(
                        StatusCode::IngredientUnknownProvenance,
                        &ing.uri,
                        format!(
                            "{}: ingredient does not have provenance",
                            ing.ingredient.title.as_deref().unwrap_or("ingredient")
                        ),
                    ));
                }
                self.push_delta(&ing.uri, delta);
                continue;
            };
            let abs = manifest::absolute(&parent.label, &hashed.url);
            let from = self.store.manifest(&parent.label);
            // The URI names the manifest (or, as some generators write, a box inside it such
            // as its claim): the ingredient manifest is the one that contains it.
            let resolved = from
                .as_ref()
                .and_then(|f| resolve_any(self.store, f, &abs).ok());
            let target = resolved.and_then(|node| {
                self.store.manifests().find(|m| {
                    let s = m.node().span;
                    s.start <= node.span.start && node.span.end <= s.end
                })
            });
            let Some(target) = target else {
                let status = Status::new(
                    StatusCode::IngredientManifestMissing,
                    &ing.uri,
                    format!("ingredient manifest {} not found", hashed.url),
                );
                parent.codes.push(status.clone());
                delta.push(status);
                self.push_delta(&ing.uri, delta);
                continue;
            };
            let label = target.label().unwrap_or_default().to_owned();
            // Redactions that apply to the ingredient's manifest.
            let applicable: Vec<String> = redactions
                .iter()
                .filter(|r| assertion::manifest_label_of(r) == Some(label.as_str()))
                .cloned()
                .collect();
            let mut current = StatusLists::default();
            // Manifest hash method, unless redactions force the claim signature method.
            let alg = assertion::hash_alg(hashed.alg.as_deref(), None, parent.claim_alg.as_deref());
            if applicable.is_empty() {
                // The hash is of the ingredient's manifest box (§15.11.3.3.2), whichever box of
                // it the URI names.
                let outcome = alg.map(|a| self.digests.check(target.node(), a, &hashed.hash));
                // Generators before C2PA 2.0 hashed the ingredient's claim (its CBOR) for a
                // v1/v2 ingredient's c2pa_manifest. The claim is what the ingredient's signature
                // covers and the walk validates that signature below, so the hash binds the
                // same manifest; the reference SDK accepts it as a "legacy" hash.
                let claim_hash_matches = |a| {
                    target.claim_cbor().is_ok_and(|(claim, _)| {
                        self.digests.check_bytes(claim, a, &hashed.hash) == UriHash::Match
                    })
                };
                let (code, why) = match outcome {
                    Some(UriHash::Mismatch)
                        if ing.ingredient.before_v3 && alg.is_some_and(claim_hash_matches) =>
                    (
                        StatusCode::IngredientManifestValidated,
                        "ingredient manifest hash matches by the pre-2.0 method: it covers the \
                         ingredient's claim, not its manifest box (C2PA 1.x; the claim \
                         signature is validated with the ingredient, §15.11.3.3.1)"
                            .to_owned(),
                    ),
                    Some(UriHash::Match) => (
                        StatusCode::IngredientManifestValidated,
                        "ingredient manifest hash matches".to_owned(),
                    ),
                    Some(UriHash::OverBudget) => (
                        StatusCode::GeneralError,
                        self.digests.over_budget(&hashed.url),
                    ),
                    Some(UriHash::Mismatch) | None => (
                        StatusCode::IngredientManifestMismatch,
                        "ingredient manifest hash does not match".to_owned(),
                    ),
                };
                // Reported in the ingredient's delta (as the reference SDK does), which makes
                // the manifest Invalid all the same.
                current.push(Status::new(code, &ing.uri, why));
            } else {
                let status = match &ing.ingredient.claim_signature {
                    None => Status::new(
                        StatusCode::IngredientClaimSignatureMissing,
                        &ing.uri,
                        "redacted ingredient without a claimSignature reference",
                    ),
                    Some(cs) => {
                        let node = from
                            .as_ref()
                            .and_then(|f| resolve_any(self.store, f, &cs.url).ok());
                        let alg = assertion::hash_alg(
                            cs.alg.as_deref(),
                            None,
                            parent.claim_alg.as_deref(),
                        );
                        match (node, alg) {
                            (None, _) => Status::new(
                                StatusCode::IngredientClaimSignatureMissing,
                                &ing.uri,
                                "ingredient claim signature not found",
                            ),
                            (Some(n), Some(a)) => match self.digests.check(n, a, &cs.hash) {
                                UriHash::Match => Status::new(
                                    StatusCode::IngredientClaimSignatureValidated,
                                    &ing.uri,
                                    "ingredient claim signature hash matches",
                                ),
                                UriHash::OverBudget => Status::new(
                                    StatusCode::GeneralError,
                                    &ing.uri,
                                    self.digests.over_budget(&cs.url),
                                ),
                                UriHash::Mismatch => Status::new(
                                    StatusCode::IngredientClaimSignatureMismatch,
                                    &ing.uri,
                                    "ingredient claim signature hash does not match",
                                ),
                            },
                            (Some(_), None) => Status::new(
                                StatusCode::IngredientClaimSignatureMismatch,
                                &ing.uri,
                                "ingredient claim signature hash does not match",
                            ),
                        }
                    }
                };
                if status.kind() == StatusKind::Failure {
                    parent.codes.push(status.clone());
                }
                current.push(status);
            }
            // Full validation of the ingredient manifest (no content binding), bounded.
            if self.visited.contains(&label) {
                current.push(Status::new(
                    StatusCode::GeneralError,
                    &ing.uri,
                    "ingredient manifests form a cycle",
                ));
            } else if depth > self.validator.limits.max_ingredient_depth
                || self.count >= self.validator.limits.max_ingredient_manifests
            {
                current.push(Status::new(
                    StatusCode::GeneralError,
                    &ing.uri,
                    "ingredient lineage deeper or larger than the validator's limits",
                ));
            } else {
                self.count += 1;
                let mut child = manifest::check(
                    self.digests,
                    target,
                    &applicable,
                    self.validator.limits.max_assertions,
                    self.cx,
                    self.external,
                );
                // Hard bindings cannot be checked for ingredients; their absence is reported.
                let mut all: Vec<String> = redactions.to_vec();
                all.extend(child.redactions.iter().cloned());
                self.visited.insert(label.clone());
                self.ingredients(&mut child, &all, depth + 1);
                self.visited.remove(&label);
                for s in child.codes.iter().cloned() {
                    current.push(s);
                }
                self.infos.push(child.info.clone());
            }
            // The delta: what the ingredient did not record when it was added.
            let recorded = ing.ingredient.recorded.clone().unwrap_or_default();
            for s in current.iter() {
                let known = recorded.iter().any(|r| {
                    r.code == s.code.as_str()
                        && match (&r.url, &s.url) {
                            (Some(a), Some(b)) => same_uri(a, b),
                            _ => true,
                        }
                });
                if !known {
                    delta.push(s.clone());
                }
            }
            self.push_delta(&ing.uri, delta);
        }
    }

    fn push_delta(&mut self, uri: &str, delta: StatusLists) {
        self.deltas.push(IngredientDelta {
            ingredient_assertion_uri: uri.to_owned(),
            validation_deltas: delta,
        });
    }
}

/// URIs are compared on their path (a recorded URI may be relative to its manifest).
fn same_uri(a: &str, b: &str) -> bool {
    a == b
        || a.ends_with(b.trim_start_matches("self#jumbf="))
        || b.ends_with(a.trim_start_matches("self#jumbf="))
}
