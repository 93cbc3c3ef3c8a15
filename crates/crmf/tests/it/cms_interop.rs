//! EnvelopedData both ways with `openssl cms`: what `envelope::seal` produces, openssl decrypts
//! with the private key; what `openssl cms -encrypt` produces with the same algorithms
//! (RSAES-OAEP-SHA256; ECDH with the SHA-256 X9.63 KDF and AES-256 wrap; AES-256-CBC),
//! `envelope::open` decrypts.

use std::path::Path;
use std::process::Command;

use signet_asn1_types::cms::content_info::ContentInfo;
use signet_asn1_types::cms::enveloped_data::EnvelopedData;
use signet_asn1_types::const_oid::ObjectIdentifier;
use signet_asn1_types::crypto::PrivateKeyDecryption;
use signet_asn1_types::der::{Any, Decode, Encode};
use signet_asn1_types::x509_cert::serial_number::SerialNumber;
use signet_crmf::envelope::{Opener, Recipient, Sealer, open, seal};
use signet_crypto::{DecryptionKey, Encryption, SystemRng};

/// `id-envelopedData` (RFC 5652 §6.1).
const ID_ENVELOPED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.3");

fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "openssl {args:?}:\n{text}");
    text
}

/// A fresh key (PKCS#8 PEM from openssl) with a self-signed certificate for it.
fn keypair(dir: &Path, name: &str, genpkey: &[&str]) -> DecryptionKey {
    let key = format!("{name}.key");
    let mut args = vec!["genpkey"];
    args.extend_from_slice(genpkey);
    args.extend_from_slice(&["-out", &key]);
    openssl(dir, &args);
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-x509",
            "-key",
            &key,
            "-subj",
            "/CN=recipient",
            "-days",
            "2",
            "-out",
            &format!("{name}.crt"),
        ],
    );
    let pem = std::fs::read_to_string(dir.join(&key)).unwrap();
    let (label, der) = signet_asn1_types::der::pem::decode_vec(pem.as_bytes()).unwrap();
    assert_eq!(label, "PRIVATE KEY");
    DecryptionKey::from_pkcs8(&der).unwrap()
}

fn rsa(dir: &Path) -> DecryptionKey {
    keypair(
        dir,
        "rsa",
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    )
}

fn ec(dir: &Path) -> DecryptionKey {
    keypair(
        dir,
        "ec",
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    )
}

#[test]
fn openssl_decrypts_what_we_seal() {
    let dir = tempfile::tempdir().unwrap();
    let rng = SystemRng::new();
    let plaintext = b"the certificate of an indirect POP".to_vec();
    for (name, key) in [("rsa", rsa(dir.path())), ("ec", ec(dir.path()))] {
        let env = seal(
            &plaintext,
            key.public_key_der(),
            &Recipient {
                issuer: "CN=Signet".parse().unwrap(),
                serial_number: SerialNumber::new(&[1]).unwrap(),
            },
            &Sealer {
                encryption: &Encryption,
                rng: &rng,
            },
        )
        .unwrap();
        let ci = ContentInfo {
            content_type: ID_ENVELOPED_DATA,
            content: Any::encode_from(&env).unwrap(),
        };
        std::fs::write(dir.path().join("env.der"), ci.to_der().unwrap()).unwrap();
        openssl(
            dir.path(),
            &[
                "cms",
                "-decrypt",
                "-inform",
                "DER",
                "-in",
                "env.der",
                "-inkey",
                &format!("{name}.key"),
                "-out",
                "out.bin",
            ],
        );
        assert_eq!(
            std::fs::read(dir.path().join("out.bin")).unwrap(),
            plaintext,
            "{name}"
        );
    }
}

#[test]
fn we_open_what_openssl_encrypts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.bin"), b"a Rand or a certificate").unwrap();
    for (name, key, keyopts) in [
        (
            "rsa",
            rsa(dir.path()),
            &[
                "-keyopt",
                "rsa_padding_mode:oaep",
                "-keyopt",
                "rsa_oaep_md:sha256",
            ][..],
        ),
        ("ec", ec(dir.path()), &["-keyopt", "ecdh_kdf_md:sha256"][..]),
    ] {
        let cert = format!("{name}.crt");
        let mut args = vec![
            "cms", "-encrypt", "-binary", "-in", "in.bin", "-outform", "DER", "-out", "enc.der",
            "-aes256", "-recip", &cert,
        ];
        args.extend_from_slice(keyopts);
        openssl(dir.path(), &args);
        let ci =
            ContentInfo::from_der(&std::fs::read(dir.path().join("enc.der")).unwrap()).unwrap();
        assert_eq!(ci.content_type, ID_ENVELOPED_DATA);
        let env: EnvelopedData = ci.content.decode_as().unwrap();
        let opened = open(
            &env,
            &Opener {
                key: &key,
                content: &Encryption,
            },
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(opened, b"a Rand or a certificate", "{name}");
    }
}
