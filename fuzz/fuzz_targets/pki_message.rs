//! Fuzz target: strict `PKIMessage` decoding. Any input either fails cleanly or decodes to a
//! message whose re-encoding is the input itself (strict decoding guarantees canonical DER).
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet_asn1_types::der::Encode;
use signet_asn1_types::strict::{Limits, decode_pki_message};

fuzz_target!(|data: &[u8]| {
    if let Ok(decoded) = decode_pki_message(data, &Limits::default()) {
        let again = decoded.message.to_der().expect("a decoded message re-encodes");
        assert_eq!(again, data, "accepted input is not canonical DER");
        assert_eq!(decoded.raw(), data);
    }
});
