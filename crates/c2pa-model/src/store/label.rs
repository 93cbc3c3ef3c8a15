//! Manifest labels (C2PA 2.2 §8.3, "Unique identifiers").
//!
//! A manifest box is labelled with a c2pa URN:
//! `urn:c2pa:UUID[:claim-generator-identifier[:version_reason]]`, where the identifier is 0 to 32
//! visible characters other than `:` (which would end it) and `version_reason` is two positive
//! integers joined by `_`. Stores written under C2PA 1.x used RFC 9562 UUID URNs with the claim
//! generator in front (`acme:urn:uuid:UUID`); §8.3 deprecates that form, but validators still read
//! it, so [`ManifestLabel::parse`] accepts it as [`LabelForm::LegacyUuid`].

/// Which of the two label forms a manifest label uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LabelForm {
    /// `urn:c2pa:UUID...` (C2PA 2.x).
    C2pa,
    /// `[generator:]urn:uuid:UUID` (C2PA 1.x, deprecated).
    LegacyUuid,
}

/// A manifest label, checked against the ABNF of C2PA 2.2 §8.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManifestLabel<'a> {
    /// The form of the label.
    pub form: LabelForm,
    /// The UUID, as written.
    pub uuid: &'a str,
    /// The claim generator identifier, when present (may be empty in the c2pa form).
    pub generator: Option<&'a str>,
    /// The version and reason (`2_1` gives `(2, 1)`), c2pa form only.
    pub version_reason: Option<(u64, u64)>,
}

/// Longest claim generator identifier of a c2pa URN (§8.3).
pub const MAX_GENERATOR_IDENTIFIER: usize = 32;

impl<'a> ManifestLabel<'a> {
    /// Parses `label`, or says which part of it is wrong.
    pub fn parse(label: &'a str) -> Result<Self, &'static str> {
        if let Some(rest) = strip_prefix_ignore_case(label, "urn:c2pa:") {
            return Self::parse_c2pa(rest);
        }
        let (generator, rest) = match find_ignore_case(label, "urn:uuid:") {
            Some(0) => (None, label.get(9..).unwrap_or_default()),
            Some(at) => {
                let prefix = label.get(..at).unwrap_or_default();
                let generator = prefix.strip_suffix(':').ok_or("not a c2pa URN")?;
                (
                    Some(generator),
                    label.get(at.saturating_add(9)..).unwrap_or_default(),
                )
            }
            None => return Err("not a c2pa URN (urn:c2pa:UUID)"),
        };
        if !is_uuid(rest) {
            return Err("the legacy urn:uuid label does not end in a UUID");
        }
        Ok(Self {
            form: LabelForm::LegacyUuid,
            uuid: rest,
            generator,
            version_reason: None,
        })
    }

    fn parse_c2pa(rest: &'a str) -> Result<Self, &'static str> {
        let mut parts = rest.splitn(3, ':');
        let uuid = parts.next().unwrap_or_default();
        if !is_uuid(uuid) {
            return Err("the c2pa URN does not hold a UUID after urn:c2pa:");
        }
        let generator = parts.next();
        if let Some(g) = generator {
            if g.len() > MAX_GENERATOR_IDENTIFIER {
                return Err("the claim generator identifier is longer than 32 characters");
            }
            if !g.bytes().all(|b| b >= 0x21 && b != 0x7f) {
                return Err("the claim generator identifier holds a space or control character");
            }
        }
        let version_reason = match parts.next() {
            None => None,
            Some(vr) => Some(
                version_reason(vr)
                    .ok_or("the version and reason are not two positive integers joined by _")?,
            ),
        };
        Ok(Self {
            form: LabelForm::C2pa,
            uuid,
            generator,
            version_reason,
        })
    }
}

fn version_reason(s: &str) -> Option<(u64, u64)> {
    let (v, r) = s.split_once('_')?;
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(v) || !digits(r) {
        return None;
    }
    Some((v.parse().ok()?, r.parse().ok()?))
}

/// `8-4-4-4-12` hexadecimal digits (RFC 9562 §4; ABNF strings and HEXDIG ignore case).
fn is_uuid(s: &str) -> bool {
    let groups = [8usize, 4, 4, 4, 12];
    let mut parts = s.split('-');
    groups.iter().all(|&n| {
        parts
            .next()
            .is_some_and(|p| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
    }) && parts.next().is_none()
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

fn find_ignore_case(s: &str, needle: &str) -> Option<usize> {
    s.as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::{LabelForm, ManifestLabel};

    const UUID: &str = "F9168C5E-CEB2-4FAA-B6BF-329BF39FA1E4";

    #[test]
    fn the_examples_of_section_8_3_parse() {
        for (label, generator, vr) in [
            (format!("urn:c2pa:{UUID}"), None, None),
            (format!("urn:c2pa:{UUID}:acme"), Some("acme"), None),
            (
                format!("urn:c2pa:{UUID}:acme:2_1"),
                Some("acme"),
                Some((2, 1)),
            ),
            (format!("urn:c2pa:{UUID}::2_1"), Some(""), Some((2, 1))),
            (format!("urn:c2pa:{}", UUID.to_lowercase()), None, None),
        ] {
            let parsed = ManifestLabel::parse(&label).unwrap_or_else(|e| panic!("{label}: {e}"));
            assert_eq!(parsed.form, LabelForm::C2pa, "{label}");
            assert_eq!(parsed.generator, generator, "{label}");
            assert_eq!(parsed.version_reason, vr, "{label}");
        }
    }

    #[test]
    fn legacy_uuid_labels_parse() {
        for (label, generator) in [
            (format!("urn:uuid:{UUID}"), None),
            (format!("adobe:urn:uuid:{UUID}"), Some("adobe")),
            (
                format!("contentauth:urn:uuid:{}", UUID.to_lowercase()),
                Some("contentauth"),
            ),
        ] {
            let parsed = ManifestLabel::parse(&label).unwrap_or_else(|e| panic!("{label}: {e}"));
            assert_eq!(parsed.form, LabelForm::LegacyUuid, "{label}");
            assert_eq!(parsed.generator, generator, "{label}");
        }
    }

    #[test]
    fn other_labels_are_refused_with_the_part_named() {
        for (label, why) in [
            ("c2pa.claim".to_owned(), "not a c2pa URN"),
            ("manifest-1".to_owned(), "not a c2pa URN"),
            (String::new(), "not a c2pa URN"),
            ("urn:c2pa:".to_owned(), "UUID"),
            ("urn:c2pa:not-a-uuid".to_owned(), "UUID"),
            (format!("urn:c2pa:{UUID}x"), "UUID"),
            (
                format!("urn:c2pa:{UUID}:{}", "g".repeat(33)),
                "longer than 32",
            ),
            (format!("urn:c2pa:{UUID}:a b"), "space"),
            (format!("urn:c2pa:{UUID}:acme:2"), "version and reason"),
            (format!("urn:c2pa:{UUID}:acme:_1"), "version and reason"),
            (format!("urn:c2pa:{UUID}:acme:2_1:x"), "version and reason"),
            (format!("urn:uuid:{UUID}-0"), "UUID"),
            (format!("acmeurn:uuid:{UUID}"), "not a c2pa URN"),
        ] {
            let err = ManifestLabel::parse(&label).expect_err(&label);
            assert!(err.contains(why), "{label}: {err}");
        }
    }
}
