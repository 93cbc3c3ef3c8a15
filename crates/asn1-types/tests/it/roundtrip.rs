//! Property tests: value → DER → strict decode → the same value, for the CMP/CRMF types we
//! encode. Strict decoding succeeding on our own output is the "encoding is canonical" check.

use proptest::prelude::*;
use signet_asn1_types::cmp::{
    CertConfirmContent, CertStatus, ErrorMsgContent, InfoTypeAndValue, InfoValue, PkiBody,
    PkiFailureBit, PkiFailureInfo, PkiHeader, PkiMessage, PkiStatus, PkiStatusInfo, PollRepEntry,
    PollReqEntry,
};
use signet_asn1_types::crmf::{CertTemplate, OptionalValidity};
use signet_asn1_types::der::asn1::{BitString, OctetString};
use signet_asn1_types::der::{Decode, Encode};
use signet_asn1_types::seq::NonEmpty;
use signet_asn1_types::strict::{self, Limits};
use signet_asn1_types::time::GeneralizedTimeFrac;
use signet_asn1_types::x509_cert::ext::pkix::name::GeneralName;
use signet_asn1_types::x509_cert::name::Name;
use signet_asn1_types::x509_cert::time::Time;

fn name() -> impl Strategy<Value = Name> {
    "[A-Za-z0-9 ]{1,24}"
        .prop_map(|cn| format!("CN={}", cn.trim()).replace("CN=", "CN=x"))
        .prop_map(|dn| dn.parse().unwrap())
}

fn general_name() -> impl Strategy<Value = GeneralName> {
    prop_oneof![
        name().prop_map(GeneralName::DirectoryName),
        Just(GeneralName::DirectoryName(Name::default()))
    ]
}

fn octets(min: usize, max: usize) -> impl Strategy<Value = OctetString> {
    proptest::collection::vec(any::<u8>(), min..=max).prop_map(|v| OctetString::new(v).unwrap())
}

fn free_text() -> impl Strategy<Value = NonEmpty<String>> {
    proptest::collection::vec("[ -~]{0,20}", 1..3).prop_map(|v| NonEmpty::new(v).unwrap())
}

fn time() -> impl Strategy<Value = GeneralizedTimeFrac> {
    (0u64..4_000_000_000, 0u32..1_000).prop_map(|(secs, millis)| {
        let dt = signet_asn1_types::der::DateTime::from_unix_duration(
            std::time::Duration::from_secs(secs),
        )
        .unwrap();
        GeneralizedTimeFrac::new(dt, millis * 1_000_000).unwrap()
    })
}

fn failure_info() -> impl Strategy<Value = PkiFailureInfo> {
    proptest::sample::select(PkiFailureBit::ALL.to_vec()).prop_map(PkiFailureInfo::from_bit)
}

fn status_info() -> impl Strategy<Value = PkiStatusInfo> {
    (
        proptest::sample::select(vec![
            PkiStatus::Accepted,
            PkiStatus::GrantedWithMods,
            PkiStatus::Rejection,
            PkiStatus::Waiting,
        ]),
        proptest::option::of(free_text()),
        proptest::option::of(failure_info()),
    )
        .prop_map(|(status, status_string, fi)| PkiStatusInfo {
            status,
            status_string,
            fail_info: fi.map(|f| f.to_bit_string().unwrap()),
        })
}

fn header() -> impl Strategy<Value = PkiHeader> {
    (
        2u8..=3,
        general_name(),
        general_name(),
        proptest::option::of(time()),
        proptest::option::of(octets(1, 20)),
        proptest::option::of(octets(16, 16)),
        proptest::option::of(octets(16, 16)),
        proptest::option::of(octets(16, 16)),
        proptest::option::of(free_text()),
        any::<bool>(),
    )
        .prop_map(
            |(
                pvno,
                sender,
                recipient,
                message_time,
                sender_kid,
                transaction_id,
                sender_nonce,
                recip_nonce,
                free_text,
                ic,
            )| PkiHeader {
                pvno,
                sender,
                recipient,
                message_time,
                protection_alg: None,
                sender_kid,
                recip_kid: None,
                transaction_id,
                sender_nonce,
                recip_nonce,
                free_text,
                general_info: ic.then(|| {
                    NonEmpty::one(
                        InfoTypeAndValue::from_typed(&InfoValue::ImplicitConfirm).unwrap(),
                    )
                }),
            },
        )
}

fn body() -> impl Strategy<Value = PkiBody> {
    prop_oneof![
        proptest::collection::vec(
            (
                octets(20, 64),
                -1i64..5,
                proptest::option::of(status_info())
            ),
            0..3
        )
        .prop_map(|v| {
            let c: CertConfirmContent = v
                .into_iter()
                .map(|(cert_hash, cert_req_id, status_info)| CertStatus {
                    cert_hash,
                    cert_req_id,
                    status_info,
                    hash_alg: None,
                })
                .collect();
            PkiBody::CertConf(c)
        }),
        (
            status_info(),
            proptest::option::of(any::<i64>()),
            proptest::option::of(free_text())
        )
            .prop_map(
                |(pki_status_info, error_code, error_details)| PkiBody::Error(ErrorMsgContent {
                    pki_status_info,
                    error_code,
                    error_details
                })
            ),
        proptest::collection::vec(-1i64..10, 1..3).prop_map(|ids| PkiBody::PollReq(
            ids.into_iter()
                .map(|cert_req_id| PollReqEntry { cert_req_id })
                .collect()
        )),
        proptest::collection::vec(
            (0i64..10, 0i64..3600, proptest::option::of(free_text())),
            1..3
        )
        .prop_map(|v| PkiBody::PollRep(
            v.into_iter()
                .map(|(cert_req_id, check_after, reason)| PollRepEntry {
                    cert_req_id,
                    check_after,
                    reason
                })
                .collect()
        )),
        Just(PkiBody::Pkiconf(signet_asn1_types::der::asn1::Null)),
        Just(PkiBody::Genm(vec![
            InfoTypeAndValue::from_typed(&InfoValue::CaCerts(None)).unwrap()
        ])),
    ]
}

fn roundtrip<T>(value: &T)
where
    T: for<'a> Decode<'a, Error = signet_asn1_types::der::Error>
        + Encode
        + PartialEq
        + std::fmt::Debug,
{
    let der = value.to_der().unwrap();
    let back: T =
        strict::decode(&der, &Limits::default()).unwrap_or_else(|e| panic!("{e}: {value:?}"));
    assert_eq!(&back, value);
}

proptest! {
    #[test]
    fn pki_header_roundtrips(h in header()) { roundtrip(&h); }

    #[test]
    fn pki_status_info_roundtrips(s in status_info()) { roundtrip(&s); }

    #[test]
    fn pki_message_roundtrips(header in header(), body in body(), protect in proptest::option::of(proptest::collection::vec(any::<u8>(), 1..40))) {
        let msg = PkiMessage { header, body, protection: protect.map(|p| BitString::from_bytes(&p).unwrap()), extra_certs: None };
        roundtrip(&msg);
        let der = msg.to_der().unwrap();
        let decoded = strict::decode_pki_message(&der, &Limits::default()).unwrap();
        prop_assert_eq!(decoded.header_der(), msg.header.to_der().unwrap());
        prop_assert_eq!(decoded.body_der(), msg.body.to_der().unwrap());
    }

    #[test]
    fn cert_template_roundtrips(subject in proptest::option::of(name()), secs in proptest::option::of(0u64..2_000_000_000)) {
        let validity = secs.map(|s| OptionalValidity {
            not_before: None,
            not_after: Some(Time::try_from(std::time::UNIX_EPOCH + std::time::Duration::from_secs(s)).unwrap()),
        });
        let t = CertTemplate { subject, validity, ..CertTemplate::default() };
        roundtrip(&t);
    }

    #[test]
    fn failure_info_bits_roundtrip(bit in proptest::sample::select(PkiFailureBit::ALL.to_vec())) {
        let fi = PkiFailureInfo::from_bit(bit);
        let bs = fi.to_bit_string().unwrap();
        let der = bs.to_der().unwrap();
        strict::scan(&der, &Limits::default()).unwrap();
        prop_assert_eq!(PkiFailureInfo::from_bit_string(&bs), fi);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = strict::decode_pki_message(&bytes, &Limits::default());
    }
}
