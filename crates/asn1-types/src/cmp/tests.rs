//! CMP type tests on the real OpenSSL 3.0.19 messages and on built values.
#![allow(
    clippy::disallowed_methods,
    reason = "tests read the shared vectors from disk"
)]

use std::path::PathBuf;

use der::{Decode, Encode};

use super::*;

fn msgs() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/upstream/vectors/cmp/openssl-3.0.19-generated/msgs")
}

#[test]
fn every_openssl_message_decodes_and_reencodes_identically() {
    let mut seen = 0;
    for entry in std::fs::read_dir(msgs()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let msg =
            PkiMessage::from_der(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(msg.to_der().unwrap(), bytes, "{}", path.display());
        seen += 1;
    }
    assert_eq!(seen, 59);
}

#[test]
fn body_names_and_typed_itavs() {
    let bytes = std::fs::read(msgs().join("ir_implicitConfirm.req.der")).unwrap();
    let msg = PkiMessage::from_der(&bytes).unwrap();
    assert_eq!(msg.body.name(), "ir");
    let info = msg.header.general_info.unwrap();
    assert!(
        info.iter()
            .any(|i| matches!(i.typed(), Ok(InfoValue::ImplicitConfirm)))
    );
    let bytes = std::fs::read(msgs().join("genm_caCerts.req.der")).unwrap();
    let msg = PkiMessage::from_der(&bytes).unwrap();
    let PkiBody::Genm(itavs) = &msg.body else {
        panic!("not genm")
    };
    assert!(matches!(itavs[0].typed(), Ok(InfoValue::CaCerts(None))));
}

#[test]
fn failure_info_bits_encode_minimally() {
    let fi = PkiFailureInfo::from_bit(PkiFailureBit::BadPop);
    let bs = fi.to_bit_string().unwrap();
    assert_eq!(bs.to_der().unwrap(), [0x03, 0x03, 0x06, 0x00, 0x40]);
    assert_eq!(
        PkiFailureInfo::from_bit_string(&bs).bits(),
        [PkiFailureBit::BadPop]
    );
    let fi = PkiFailureInfo::from_bit(PkiFailureBit::BadAlg);
    assert_eq!(
        fi.to_bit_string().unwrap().to_der().unwrap(),
        [0x03, 0x02, 0x07, 0x80]
    );
    assert_eq!(
        PkiFailureInfo::default()
            .to_bit_string()
            .unwrap()
            .to_der()
            .unwrap(),
        [0x03, 0x01, 0x00]
    );
}
