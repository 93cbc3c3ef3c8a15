//! Locator tests across formats on the shared C2PA vectors.
#![allow(
    clippy::disallowed_methods,
    reason = "tests read the shared vectors from disk"
)]

use std::path::PathBuf;

use super::*;
use crate::store::ManifestStore;

fn read(name: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/upstream/vectors/c2pa")
            .join(name),
    )
    .unwrap()
}

fn store(format: Format, name: &str) -> ManifestStore {
    let found = locate_seekable(
        format,
        std::io::Cursor::new(read(name)),
        &ContainerLimits::default(),
    )
    .unwrap()
    .unwrap();
    ManifestStore::from_bytes(found.store, &crate::jumbf::Limits::default()).unwrap()
}

#[test]
fn bmff_store_is_found_and_parses() {
    let s = store(Format::Bmff, "rs/video1.mp4");
    assert!(s.active_manifest().unwrap().claim().is_ok());
}

#[test]
fn sidecar_is_the_store() {
    let s = store(Format::Sidecar, "rs/cloud_manifest.c2pa");
    assert!(s.manifests().count() >= 1);
}

#[test]
fn png_crc_and_chunk_walk() {
    // A PNG with a caBX chunk holding a minimal store, built here.
    let mut jumbf = Vec::new();
    crate::jumbf::write_superbox(
        &mut jumbf,
        &crate::jumbf::NewDescription {
            uuid: crate::store::uuid::STORE,
            label: Some("c2pa"),
            private: None,
        },
        &[],
    )
    .unwrap();
    let chunk = |kind: &[u8; 4], data: &[u8]| {
        let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        c.extend_from_slice(kind);
        c.extend_from_slice(data);
        c.extend_from_slice(&png::crc32(&[kind, data]).to_be_bytes());
        c
    };
    let mut file = png::SIGNATURE.to_vec();
    file.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
    let cabx_at = u64::try_from(file.len()).unwrap();
    file.extend(chunk(b"caBX", &jumbf));
    file.extend(chunk(b"IEND", &[]));
    let found = png::locate(file.as_slice(), &ContainerLimits::default())
        .unwrap()
        .unwrap();
    assert_eq!(found.store, jumbf);
    assert_eq!(
        found.ranges,
        vec![cabx_at..cabx_at + 12 + u64::try_from(jumbf.len()).unwrap()]
    );
    // Corrupt the CRC.
    let crc_at = usize::try_from(cabx_at).unwrap() + 8 + jumbf.len();
    file[crc_at] ^= 1;
    assert!(matches!(
        png::locate(file.as_slice(), &ContainerLimits::default()),
        Err(ContainerError::Malformed { .. })
    ));
    // The IEND CRC of "IEND" with no data is the well-known AE426082.
    assert_eq!(png::crc32(&[b"IEND"]), 0xAE42_6082);
}

#[test]
fn formats_by_extension() {
    assert_eq!(Format::from_extension("JPG"), Some(Format::Jpeg));
    assert_eq!(Format::from_extension("mp4"), Some(Format::Bmff));
    assert_eq!(Format::from_extension("pdf"), Some(Format::Pdf));
    assert_eq!(Format::from_extension("WebP"), Some(Format::Riff));
    assert_eq!(Format::from_mime("image/svg+xml"), Some(Format::Svg));
    assert_eq!(Format::from_extension("docx"), None);
}

fn seekable(format: Format, bytes: &[u8]) -> Result<Option<Located>, ContainerError> {
    locate_seekable(
        format,
        std::io::Cursor::new(bytes),
        &ContainerLimits::default(),
    )
}

#[test]
fn pdf_font_and_svg_vectors() {
    let pdf = store(Format::Pdf, "pt/adobe-20240110-single_manifest_store.pdf");
    assert!(pdf.active_manifest().unwrap().claim().is_ok());
    let font = store(Format::Font, "pt/monotype-20240712-monotype_sans.ttf");
    assert!(font.manifests().count() >= 1);
    // The SVG's element holds Base64 that is not JUMBF: located, then refused by the store.
    let found = locate(
        Format::Svg,
        read("rs/sample3.svg").as_slice(),
        &ContainerLimits::default(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(found.store, b"some more test data");
    assert!(ManifestStore::from_bytes(found.store, &crate::jumbf::Limits::default()).is_err());
    // PDF needs random access.
    assert!(matches!(
        locate(
            Format::Pdf,
            read("pt/adobe-20240110-single_manifest_store.pdf").as_slice(),
            &ContainerLimits::default()
        ),
        Err(ContainerError::Unsupported { .. })
    ));
}

/// A PDF built from object bodies, with a classic cross-reference table.
fn pdf_of(objects: &[&str], trailer_extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R {trailer_extra}>>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[test]
fn pdf_reader_finds_the_c2pa_file_and_refuses_what_it_cannot_read() {
    let store = "STORE-BYTES";
    let objects = [
        "<< /Type /Catalog /AF [2 0 R] /Note (a (nested) string with \\) and \\( escapes) >>",
        "<< /Type /Filespec /AFRelationship /C2PA#5FManifest /EF << /F 3 0 R >> >>",
        "<< /Length 4 0 R /Subtype /application#2Fc2pa >>\nstream\r\nSTORE-BYTES\nendstream",
        "11",
    ];
    let pdf = pdf_of(&objects, "");
    let found = seekable(Format::Pdf, &pdf).unwrap().unwrap();
    assert_eq!(found.store, store.as_bytes());
    let at = usize::try_from(found.ranges[0].start).unwrap();
    assert_eq!(&pdf[at..at + store.len()], store.as_bytes());
    // No /AF: no store.
    let plain = pdf_of(&["<< /Type /Catalog >>"], "");
    assert_eq!(seekable(Format::Pdf, &plain).unwrap(), None);
    // A compressed manifest stream, a cross-reference stream, a /Prev loop, not a PDF.
    let mut filtered = objects;
    filtered[2] = "<< /Length 11 /Filter /FlateDecode >>\nstream\nSTORE-BYTES\nendstream";
    assert!(matches!(
        seekable(Format::Pdf, &pdf_of(&filtered, "")),
        Err(ContainerError::Unsupported { .. })
    ));
    let xref_stream = b"%PDF-1.7\n1 0 obj\n<< /Type /XRef >>\nstream\nx\nendstream\nendobj\nstartxref\n9\n%%EOF\n";
    assert!(matches!(
        seekable(Format::Pdf, xref_stream),
        Err(ContainerError::Unsupported { .. })
    ));
    let xref_at = String::from_utf8_lossy(&pdf).rfind("xref\n0").unwrap();
    let looped = pdf_of(&objects, &format!("/Prev {xref_at} "));
    assert!(matches!(
        seekable(Format::Pdf, &looped),
        Err(ContainerError::Malformed { .. })
    ));
    assert!(matches!(
        seekable(Format::Pdf, b"%!PS-Adobe"),
        Err(ContainerError::NotFormat { .. })
    ));
    // Deep nesting is bounded.
    let deep = format!(
        "<< /Type /Catalog /AF {}{} >>",
        "[".repeat(100),
        "]".repeat(100)
    );
    assert!(matches!(
        seekable(Format::Pdf, &pdf_of(&[&deep], "")),
        Err(ContainerError::Malformed { .. })
    ));
}

#[test]
fn riff_gif_jxl_and_font_locators_on_hand_built_files() {
    let mut jumbf = Vec::new();
    crate::jumbf::write_superbox(
        &mut jumbf,
        &crate::jumbf::NewDescription {
            uuid: crate::store::uuid::STORE,
            label: Some("c2pa"),
            private: None,
        },
        &[],
    )
    .unwrap();
    let limits = ContainerLimits::default();
    // RIFF: WEBP with a VP8 chunk of odd size (padded), then the C2PA chunk.
    let mut riff = b"RIFF\0\0\0\0WEBPVP8 \x03\0\0\0abc\0".to_vec();
    let c2pa_at = riff.len();
    riff.extend_from_slice(b"C2PA");
    riff.extend_from_slice(&u32::try_from(jumbf.len()).unwrap().to_le_bytes());
    riff.extend_from_slice(&jumbf);
    let size = u32::try_from(riff.len() - 8).unwrap();
    riff[4..8].copy_from_slice(&size.to_le_bytes());
    let found = riff::locate(riff.as_slice(), &limits).unwrap().unwrap();
    assert_eq!(found.store, jumbf);
    assert_eq!(found.ranges[0].start, u64::try_from(c2pa_at).unwrap());
    let mut short = riff.clone();
    short[4..8].copy_from_slice(&(size - 4).to_le_bytes());
    assert!(riff::locate(short.as_slice(), &limits).is_err());
    // GIF: header, LSD with a 2-entry global color table, the C2PA extension, an image, trailer.
    let mut gif = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff".to_vec();
    let ext_at = gif.len();
    gif.extend_from_slice(b"\x21\xff\x0bC2PA_GIF\x01\0\0");
    for c in jumbf.chunks(10) {
        gif.push(u8::try_from(c.len()).unwrap());
        gif.extend_from_slice(c);
    }
    gif.push(0);
    gif.extend_from_slice(b"\x2c\0\0\0\0\x01\0\x01\0\0\x02\x02\x44\x01\0\x3b");
    let found = gif::locate(gif.as_slice(), &limits).unwrap().unwrap();
    assert_eq!(found.store, jumbf);
    assert_eq!(found.ranges[0].start, u64::try_from(ext_at).unwrap());
    assert!(gif::locate(&b"GIF89a\x01\0\x01\0\0\0\0\x99"[..], &limits).is_err());
    // JPEG XL: signature, ftyp, the store as a top-level jumb box, a codestream box to the end.
    let mut jxl = jxl::SIGNATURE.to_vec();
    jxl.extend_from_slice(b"\0\0\0\x14ftypjxl \0\0\0\0jxl ");
    jxl.extend_from_slice(&jumbf);
    jxl.extend_from_slice(b"\0\0\0\0jxlc\xff\x0a");
    let found = jxl::locate(jxl.as_slice(), &limits).unwrap().unwrap();
    assert_eq!(found.store, jumbf);
    assert_eq!(jxl::locate(&[0xFF, 0x0A, 1, 2][..], &limits).unwrap(), None);
    // Font: one table, C2PA, whose store follows its 20-byte header.
    let mut font = vec![0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    font.extend_from_slice(b"C2PA\0\0\0\0");
    font.extend_from_slice(&28u32.to_be_bytes());
    font.extend_from_slice(&u32::try_from(20 + jumbf.len()).unwrap().to_be_bytes());
    font.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20]);
    font.extend_from_slice(&u32::try_from(jumbf.len()).unwrap().to_be_bytes());
    font.extend_from_slice(&jumbf);
    let found = font::locate(font.as_slice(), &limits).unwrap().unwrap();
    assert_eq!(found.store, jumbf);
    font[43] = 0xFF; // store length past the table
    assert!(font::locate(font.as_slice(), &limits).is_err());
    // SVG round trip of the Base64 helpers.
    for n in 0..10 {
        let data: Vec<u8> = (0..n).collect();
        assert_eq!(svg::unbase64(&svg::base64(&data)).unwrap(), data);
    }
    assert_eq!(svg::unbase64(b"AAA"), None);
    assert_eq!(svg::unbase64(b"A=AA"), None);
}

/// Every format is recognised from its first bytes; text that is not SVG and short or unknown
/// heads are not.
#[test]
fn formats_are_sniffed_from_their_first_bytes() {
    let cases: [(&[u8], Format); 14] = [
        (b"\xFF\xD8\xFF\xE0\x00\x10JFIF", Format::Jpeg),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", Format::Png),
        (b"\x00\x00\x00\x18ftypisom", Format::Bmff),
        (b"\x00\x00\x00\x18stypmsdh", Format::Bmff),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", Format::Riff),
        (b"GIF89a\x01\x00", Format::Gif),
        (b"%PDF-1.7\n", Format::Pdf),
        (b"II*\x00\x08\x00\x00\x00", Format::Tiff),
        (b"MM\x00*\x00\x00\x00\x08", Format::Tiff),
        (b"\x00\x00\x00\x0cJXL \r\n\x87\n\x00\x00", Format::Jxl),
        (b"\x00\x01\x00\x00\x00\x0e\x00\x80", Format::Font),
        (b"\x00\x00\x00\x30jumb\x00\x00\x00\x28jumd", Format::Sidecar),
        (b"\xEF\xBB\xBF  \n<?xml version=\"1.0\"?><svg", Format::Svg),
        (b"<svg xmlns=\"http://www.w3.org/2000/svg\">", Format::Svg),
    ];
    for (head, format) in cases {
        assert_eq!(Format::sniff(head), Some(format), "{head:?}");
    }
    for head in [
        &b""[..],
        b"\xFF\xD8",
        b"<html>",
        b"   ",
        b"PK\x03\x04",
        b"ID3\x04\x00",
    ] {
        assert_eq!(Format::sniff(head), None, "{head:?}");
    }
}
