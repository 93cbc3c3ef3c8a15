//! Distinguished names as operators type them and as the rules compare them.
//!
//! Two spellings are accepted: OpenSSL's `/CN=Signer/O=Example/C=US` (RDNs in encoding order,
//! as `openssl cmp -subject` takes them) and RFC 4514's `CN=Signer,O=Example,C=US` (RDNs in
//! reverse order). `countryName` and `serialNumber` are encoded as PrintableString, everything
//! else as UTF8String (RFC 5280 §4.1.2.4 and Appendix A.1).
//!
//! Names are compared by attribute type and string value in order, not by encoding: a client
//! that encodes `O` as PrintableString asks for the same name as one that uses UTF8String.

use core::str::FromStr;

use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::der::asn1::{Ia5StringRef, PrintableStringRef, Utf8StringRef};
use signet_asn1_types::der::{Tag, Tagged};
use signet_asn1_types::x509_cert::attr::AttributeTypeAndValue;
use signet_asn1_types::x509_cert::name::Name;

/// Longest DN string accepted from an operator (bounds the parser's work).
pub const MAX_DN_CHARS: usize = 1024;

/// Why a DN string does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DnError {
    /// Empty, too long, or not `TYPE=value` pairs.
    #[error("not a distinguished name: {reason}")]
    Syntax {
        /// What is wrong.
        reason: &'static str,
    },
}

/// Parses an OpenSSL-style (`/CN=a/O=b`) or RFC 4514 (`CN=a,O=b`) distinguished name.
///
/// # Errors
/// [`DnError::Syntax`] when the text is empty, longer than [`MAX_DN_CHARS`], or malformed.
pub fn parse(text: &str) -> Result<Name, DnError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_DN_CHARS {
        return Err(DnError::Syntax {
            reason: "empty or too long",
        });
    }
    let rfc4514 = match text.strip_prefix('/') {
        Some(slashed) => openssl_to_rfc4514(slashed)?,
        None => text.to_owned(),
    };
    let name = Name::from_str(&rfc4514).map_err(|_| DnError::Syntax {
        reason: "attribute type or value not understood",
    })?;
    if name.is_empty() {
        return Err(DnError::Syntax {
            reason: "no attribute",
        });
    }
    Ok(name)
}

/// `CN=a/O=b` (after the leading slash) → `O=b,CN=a`, escaping RFC 4514 specials in values.
fn openssl_to_rfc4514(slashed: &str) -> Result<String, DnError> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = slashed.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n) => current.push(n),
                None => {
                    return Err(DnError::Syntax {
                        reason: "trailing backslash",
                    });
                }
            },
            '/' => parts.push(core::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    let mut out = Vec::new();
    for part in parts.iter().rev() {
        let (key, value) = part.split_once('=').ok_or(DnError::Syntax {
            reason: "component without '='",
        })?;
        if key.is_empty() {
            return Err(DnError::Syntax {
                reason: "component without type",
            });
        }
        let mut escaped = String::new();
        for (i, ch) in value.chars().enumerate() {
            let special = matches!(ch, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
                || (i == 0 && matches!(ch, ' ' | '#'));
            if special {
                escaped.push('\\');
            }
            escaped.push(ch);
        }
        out.push(format!("{key}={escaped}"));
    }
    Ok(out.join(","))
}

/// The string value of an attribute (PrintableString, UTF8String or IA5String), if it has one.
#[must_use]
pub fn value_str(atv: &AttributeTypeAndValue) -> Option<&str> {
    match atv.value.tag() {
        Tag::PrintableString => PrintableStringRef::try_from(&atv.value)
            .ok()
            .map(|s| s.as_str()),
        Tag::Utf8String => Utf8StringRef::try_from(&atv.value).ok().map(|s| s.as_str()),
        Tag::Ia5String => Ia5StringRef::try_from(&atv.value).ok().map(|s| s.as_str()),
        _ => None,
    }
}

/// The attributes of `name` in encoding order as (type, string value); `None` for a value
/// without a string form.
#[must_use]
pub fn attributes(name: &Name) -> Vec<(ObjectIdentifier, Option<&str>)> {
    name.iter().map(|a| (a.oid, value_str(a))).collect()
}

/// Whether two names have the same attribute types and string values in the same order.
#[must_use]
pub fn same_name(a: &Name, b: &Name) -> bool {
    let (x, y) = (attributes(a), attributes(b));
    x.len() == y.len()
        && x.iter()
            .zip(&y)
            .all(|((ot, ov), (pt, pv))| ot == pt && ov.is_some() && ov == pv)
}

/// OpenSSL's one-line form (`/CN=a/O=b`), which `openssl x509 -subject` prints too.
#[must_use]
pub fn to_openssl(name: &Name) -> String {
    let mut out = String::new();
    for atv in name.iter() {
        let key = crate::NameAttribute::from_oid(atv.oid)
            .map(short_name)
            .map_or_else(|| atv.oid.to_string(), str::to_owned);
        let value = value_str(atv).unwrap_or("#?");
        out.push('/');
        out.push_str(&key);
        out.push('=');
        for ch in value.chars() {
            if ch == '/' || ch == '\\' {
                out.push('\\');
            }
            out.push(ch);
        }
    }
    out
}

fn short_name(a: crate::NameAttribute) -> &'static str {
    use crate::NameAttribute as A;
    match a {
        A::CommonName => "CN",
        A::Country => "C",
        A::Locality => "L",
        A::Organization => "O",
        A::OrganizationalUnit => "OU",
        A::SerialNumber => "serialNumber",
        A::StateOrProvince => "ST",
    }
}
