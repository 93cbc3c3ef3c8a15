//! BMFF signing tests on hand-built files: offsets rewritten, the hash recomputed independently
//! the way a validator does, Merkle leaves, and refusals.

use std::io::Cursor;

use super::*;
use crate::assertion::{Assertion, BmffHash};
use crate::container::{self, Format};
use crate::cose::SignOptions;
use crate::generator::tests::{CountingRng, es256};
use crate::generator::{Generator, ManifestDefinition, Signed};
use crate::jumbf::Limits;
use crate::store::ManifestStore;

pub(super) fn bx(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut v = u32::try_from(payload.len() + 8)
        .unwrap()
        .to_be_bytes()
        .to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(payload);
    v
}

pub(super) fn full(kind: &[u8; 4], version: u8, flags: u32, payload: &[u8]) -> Vec<u8> {
    let mut p = ((u32::from(version) << 24) | flags).to_be_bytes().to_vec();
    p.extend_from_slice(payload);
    bx(kind, &p)
}

pub(super) fn ftyp() -> Vec<u8> {
    bx(b"ftyp", b"isom\0\0\x02\0isomiso2")
}

/// ftyp, moov (stco or co64 pointing at `chunks` chunks of the mdat), mdat.
fn mp4(payload: &[u8], chunks: usize, co64: bool) -> Vec<u8> {
    let chunk = payload.len() / chunks;
    let stbl = |offsets: &[u64]| {
        let mut entries = u32::try_from(offsets.len()).unwrap().to_be_bytes().to_vec();
        for o in offsets {
            if co64 {
                entries.extend_from_slice(&o.to_be_bytes());
            } else {
                entries.extend_from_slice(&u32::try_from(*o).unwrap().to_be_bytes());
            }
        }
        let table = if co64 {
            full(b"co64", 0, 0, &entries)
        } else {
            full(b"stco", 0, 0, &entries)
        };
        bx(
            b"stbl",
            &[full(b"stsd", 0, 0, &0u32.to_be_bytes()), table].concat(),
        )
    };
    let moov = |offsets: &[u64]| {
        let minf = bx(b"minf", &stbl(offsets));
        let mdia = bx(b"mdia", &[full(b"mdhd", 0, 0, &[0; 20]), minf].concat());
        let trak = bx(b"trak", &[full(b"tkhd", 0, 3, &[0; 80]), mdia].concat());
        bx(b"moov", &[full(b"mvhd", 0, 0, &[0; 96]), trak].concat())
    };
    let head = ftyp().len() + moov(&vec![0; chunks]).len() + 8;
    let offsets: Vec<u64> = (0..chunks)
        .map(|i| u64::try_from(head + i * chunk).unwrap())
        .collect();
    [ftyp(), moov(&offsets), bx(b"mdat", payload)].concat()
}

pub(super) fn sign(
    input: &[u8],
    opts_bmff: BmffOptions,
) -> Result<(Vec<u8>, Signed), GeneratorError> {
    let signer = es256();
    let chain = vec![vec![0x30, 0x00]];
    let opts = SignOptions {
        signer: &signer,
        chain: &chain,
        timestamper: None,
        ocsp_vals: &[],
    };
    let def = ManifestDefinition::default();
    let mut g = Generator::new(&def, &opts, &CountingRng);
    g.bmff = opts_bmff;
    let mut out = Cursor::new(Vec::new());
    let signed = g.embed(Format::Bmff, &mut Cursor::new(input), &mut out)?;
    Ok((out.into_inner(), signed))
}

/// Signs `input` replacing any store it has.
pub(super) fn resign(
    input: &[u8],
    opts_bmff: BmffOptions,
) -> Result<(Vec<u8>, Signed), GeneratorError> {
    let signer = es256();
    let chain = vec![vec![0x30, 0x00]];
    let opts = SignOptions {
        signer: &signer,
        chain: &chain,
        timestamper: None,
        ocsp_vals: &[],
    };
    let def = ManifestDefinition::default();
    let mut g = Generator::new(&def, &opts, &CountingRng);
    g.bmff = opts_bmff;
    g.replace = true;
    let mut out = Cursor::new(Vec::new());
    let signed = g.embed(Format::Bmff, &mut Cursor::new(input), &mut out)?;
    Ok((out.into_inner(), signed))
}

/// Top-level boxes of a file: (offset, type, size).
pub(super) fn top(file: &[u8]) -> Vec<(usize, [u8; 4], usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < file.len() {
        let size =
            usize::try_from(u32::from_be_bytes(file[at..at + 4].try_into().unwrap())).unwrap();
        out.push((at, file[at + 4..at + 8].try_into().unwrap(), size));
        at += size;
    }
    out
}

pub(super) fn bmff_hash(store: &ManifestStore) -> BmffHash {
    let m = store.active_manifest().unwrap();
    match m.assertion("c2pa.hash.bmff.v3").unwrap().decode().unwrap() {
        Assertion::BmffHash(b) => b.into_value(),
        other => panic!("{other:?}"),
    }
}

/// The v3 hash as a validator computes it over the signed file: for each top-level box that is
/// not ftyp, the C2PA uuid or mfra, its offset (8 bytes BE) and bytes; with Merkle trees, an
/// mdat contributes only its first 16 bytes.
fn independent_hash(file: &[u8], merkle: bool) -> Vec<u8> {
    let mut data = Vec::new();
    for (at, kind, size) in top(file) {
        let is_c2pa = &kind == b"uuid" && file[at + 8..at + 24] == C2PA_UUID;
        if &kind == b"ftyp" || &kind == b"mfra" || is_c2pa {
            continue;
        }
        data.extend_from_slice(&u64::try_from(at).unwrap().to_be_bytes());
        let end = if merkle && &kind == b"mdat" {
            at + size.min(16)
        } else {
            at + size
        };
        data.extend_from_slice(&file[at..end]);
    }
    HashAlg::Sha256.digest(&data)
}

pub(super) fn stored(file: &[u8]) -> ManifestStore {
    let found = container::locate(Format::Bmff, file, &ContainerLimits::default())
        .unwrap()
        .unwrap();
    ManifestStore::from_bytes(found.store, &Limits::default()).unwrap()
}

fn u32_at(file: &[u8], at: usize) -> u64 {
    u64::from(u32::from_be_bytes(file[at..at + 4].try_into().unwrap()))
}

#[test]
fn mp4_gets_the_uuid_box_after_ftyp_and_shifted_chunk_offsets() {
    let payload: Vec<u8> = (0..30_000u32)
        .map(|i| u8::try_from(i % 251).unwrap())
        .collect();
    for co64 in [false, true] {
        let input = mp4(&payload, 3, co64);
        let (out, signed) = sign(&input, BmffOptions::default()).unwrap();
        let boxes = top(&out);
        let kinds: Vec<_> = boxes.iter().map(|b| b.1).collect();
        assert_eq!(kinds, [*b"ftyp", *b"uuid", *b"moov", *b"mdat"]);
        let delta = boxes[1].2;
        assert_eq!(out.len(), input.len() + delta);
        // Everything after the uuid box is the input shifted, but for the chunk offsets.
        let table = if co64 { b"co64" } else { b"stco" };
        let t_in = input.windows(4).position(|w| w == table).unwrap();
        let t_out = out.windows(4).position(|w| w == table).unwrap();
        assert_eq!(t_out, t_in + delta);
        let width = if co64 { 8 } else { 4 };
        for i in 0..3 {
            let at = 12 + i * width;
            let (a, b) = if co64 {
                (
                    u64::from_be_bytes(input[t_in + at..t_in + at + 8].try_into().unwrap()),
                    u64::from_be_bytes(out[t_out + at..t_out + at + 8].try_into().unwrap()),
                )
            } else {
                (u32_at(&input, t_in + at), u32_at(&out, t_out + at))
            };
            assert_eq!(b, a + u64::try_from(delta).unwrap());
            // The shifted offset points at the same media bytes.
            let (a, b) = (usize::try_from(a).unwrap(), usize::try_from(b).unwrap());
            assert_eq!(&out[b..b + 100], &input[a..a + 100]);
        }
        assert_eq!(&out[boxes[3].0..], &input[boxes[3].0 - delta..]);
        // The store is the one returned, and the hash is what a validator computes.
        let store = stored(&out);
        assert_eq!(store.as_bytes(), signed.store.as_slice());
        let hash = bmff_hash(&store);
        assert_eq!(hash.version, 3);
        assert!(hash.merkle.is_empty());
        let xpaths: Vec<_> = hash.exclusions.iter().map(|e| e.xpath.as_str()).collect();
        assert_eq!(xpaths, ["/uuid", "/ftyp", "/mfra"]);
        assert_eq!(hash.hash.unwrap(), independent_hash(&out, false));
    }
}

#[test]
fn moov_after_mdat_and_sidecar() {
    let payload = vec![7u8; 5000];
    let input = mp4(&payload, 1, false);
    // Move moov to the end: ftyp, mdat, moov (offsets fixed up by hand).
    let boxes = top(&input);
    let (ftyp_b, moov_b, mdat_b) = (
        &input[..boxes[0].2],
        &input[boxes[1].0..boxes[1].0 + boxes[1].2],
        &input[boxes[2].0..],
    );
    let mut moov_fixed = moov_b.to_vec();
    let t = moov_fixed.windows(4).position(|w| w == b"stco").unwrap();
    let data_at = u32::try_from(ftyp_b.len() + 8).unwrap();
    moov_fixed[t + 12..t + 16].copy_from_slice(&data_at.to_be_bytes());
    let input = [ftyp_b, mdat_b, &moov_fixed].concat();
    let (out, _) = sign(&input, BmffOptions::default()).unwrap();
    let t = out.windows(4).position(|w| w == b"stco").unwrap();
    let off = usize::try_from(u32_at(&out, t + 12)).unwrap();
    assert_eq!(&out[off..off + 8], &[7u8; 8]);
    assert_eq!(
        bmff_hash(&stored(&out)).hash.unwrap(),
        independent_hash(&out, false)
    );

    // Sidecar: nothing inserted, the hash covers the input as it is.
    let signer = es256();
    let chain = vec![vec![0x30, 0x00]];
    let opts = SignOptions {
        signer: &signer,
        chain: &chain,
        timestamper: None,
        ocsp_vals: &[],
    };
    let def = ManifestDefinition::default();
    let signed = Generator::new(&def, &opts, &CountingRng)
        .sidecar(Format::Bmff, &mut Cursor::new(&input))
        .unwrap();
    let store = ManifestStore::from_bytes(signed.store, &Limits::default()).unwrap();
    assert_eq!(
        bmff_hash(&store).hash.unwrap(),
        independent_hash(&input, false)
    );
}

#[test]
fn large_mdat_is_hashed_as_merkle_leaves() {
    let payload: Vec<u8> = (0..100_000u32)
        .map(|i| u8::try_from(i % 253).unwrap())
        .collect();
    let input = mp4(&payload, 4, false);
    let opts = BmffOptions {
        merkle_threshold: Some(50_000),
        merkle_block: 16_384,
        max_leaves: 4,
        ..BmffOptions::default()
    };
    let (out, _) = sign(&input, opts).unwrap();
    let hash = bmff_hash(&stored(&out));
    let mdat = hash.exclusions.iter().find(|e| e.xpath == "/mdat").unwrap();
    assert_eq!(
        mdat.subset,
        [SubsetRange {
            offset: 16,
            length: 0
        }]
    );
    assert_eq!(hash.hash.clone().unwrap(), independent_hash(&out, true));
    // 100,000 bytes in at most 4 leaves: blocks grow from 16 KiB to 32 KiB → 4 leaves.
    let tree = &hash.merkle[0];
    assert_eq!(tree.fixed_block_size, Some(32_768));
    assert_eq!(tree.count, 4);
    assert_eq!(tree.hashes.len(), 4);
    let leaves: Vec<_> = payload
        .chunks(32_768)
        .map(|c| HashAlg::Sha256.digest(c))
        .collect();
    assert_eq!(tree.hashes, leaves);
    assert_eq!((tree.unique_id, tree.local_id), (1, 0));
}

#[test]
fn heif_item_locations_are_shifted() {
    let data = vec![9u8; 2000];
    let meta = |base: u32| {
        let hdlr = full(
            b"hdlr",
            0,
            0,
            &[
                0, 0, 0, 0, b'p', b'i', b'c', b't', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ],
        );
        // iloc v1: offset 4, length 4, base 4, index 0; one item, method 0, one extent.
        let mut iloc = vec![0x44, 0x40, 0, 1, 0, 1, 0, 0, 0, 0];
        iloc.extend_from_slice(&base.to_be_bytes());
        iloc.extend_from_slice(&[0, 1, 0, 0, 0, 0, 0, 0, 0x07, 0xD0]);
        full(b"meta", 0, 0, &[hdlr, full(b"iloc", 1, 0, &iloc)].concat())
    };
    let ftyp = bx(b"ftyp", b"heic\0\0\0\0mif1heic");
    let base = u32::try_from(ftyp.len() + meta(0).len() + 8).unwrap();
    let input = [ftyp, meta(base), bx(b"mdat", &data)].concat();
    let (out, _) = sign(&input, BmffOptions::default()).unwrap();
    let delta = top(&out)[1].2;
    let i = out.windows(4).position(|w| w == b"iloc").unwrap();
    // header(4) + sizes(2) + count(2) + id(2) + method(2) + dref(2) → base offset.
    let new_base = u32_at(&out, i + 4 + 4 + 10);
    assert_eq!(new_base, u64::from(base) + u64::try_from(delta).unwrap());
    let b = usize::try_from(new_base).unwrap();
    assert_eq!(&out[b..b + 2000], data.as_slice());
    assert_eq!(
        bmff_hash(&stored(&out)).hash.unwrap(),
        independent_hash(&out, false)
    );
}

#[test]
fn fragment_offsets_are_shifted_and_mfra_is_excluded() {
    // ftyp, moov, moof (traf/tfhd with an absolute base data offset), mdat, mfra (tfra).
    let moov = bx(b"moov", &full(b"mvhd", 0, 0, &[0; 96]));
    let mdat = bx(b"mdat", &[5u8; 64]);
    let ftyp = ftyp();
    let moof = |base: u64| {
        let mut tfhd = 1u32.to_be_bytes().to_vec();
        tfhd.extend_from_slice(&base.to_be_bytes());
        bx(b"moof", &bx(b"traf", &full(b"tfhd", 0, 1, &tfhd)))
    };
    let moof_at = u64::try_from(ftyp.len() + moov.len()).unwrap();
    let data_at = moof_at + u64::try_from(moof(0).len()).unwrap() + 8;
    let tfra = |moof_offset: u64| {
        let mut p = 1u32.to_be_bytes().to_vec(); // track
        p.extend_from_slice(&0u32.to_be_bytes()); // 1-byte traf/trun/sample numbers
        p.extend_from_slice(&1u32.to_be_bytes()); // one entry
        p.extend_from_slice(&0u64.to_be_bytes()); // time
        p.extend_from_slice(&moof_offset.to_be_bytes());
        p.extend_from_slice(&[1, 1, 1]);
        bx(b"mfra", &full(b"tfra", 1, 0, &p))
    };
    let input = [ftyp, moov, moof(data_at), mdat, tfra(moof_at)].concat();
    let (out, _) = sign(&input, BmffOptions::default()).unwrap();
    // The manifest box after ftyp, and a merkle box before the moof (§A.5.4.1.2).
    let boxes = top(&out);
    assert_eq!(&boxes[3].1, b"uuid");
    assert_eq!(&boxes[4].1, b"moof");
    let delta = u64::try_from(boxes[1].2 + boxes[3].2).unwrap();
    let t = out.windows(4).position(|w| w == b"tfhd").unwrap();
    let base = u64::from_be_bytes(out[t + 12..t + 20].try_into().unwrap());
    assert_eq!(base, data_at + delta);
    let r = out.windows(4).position(|w| w == b"tfra").unwrap();
    let moof_off = u64::from_be_bytes(out[r + 28..r + 36].try_into().unwrap());
    assert_eq!(moof_off, moof_at + delta);
    assert_eq!(&out[usize::try_from(moof_off).unwrap() + 4..][..4], b"moof");
    // Fragmented: an init hash and a tree, no hash over the file; mfra is outside both.
    let hash = bmff_hash(&stored(&out));
    assert_eq!(hash.hash, None);
    assert_eq!(hash.merkle.len(), 1);
}

#[test]
fn refusals() {
    let payload = vec![1u8; 100];
    let (signed, _) = sign(&mp4(&payload, 1, false), BmffOptions::default()).unwrap();
    assert_eq!(
        sign(&signed, BmffOptions::default()).unwrap_err(),
        GeneratorError::AlreadySigned
    );
    // Not starting with ftyp.
    assert!(matches!(
        sign(&bx(b"moov", &[]), BmffOptions::default()),
        Err(GeneratorError::Container(ContainerError::NotFormat { .. }))
    ));
    // A box running past the end.
    let mut bad = mp4(&payload, 1, false);
    bad.truncate(bad.len() - 10);
    assert!(matches!(
        sign(&bad, BmffOptions::default()),
        Err(GeneratorError::Bmff { .. })
    ));
    // stco entries that do not match its size.
    let mut bad = mp4(&payload, 1, false);
    let t = bad.windows(4).position(|w| w == b"stco").unwrap();
    bad[t + 11] = 9;
    assert!(matches!(
        sign(&bad, BmffOptions::default()),
        Err(GeneratorError::Bmff {
            box_type: "stco",
            ..
        })
    ));
    // A 32-bit chunk offset that would pass 4 GiB.
    let mut near = mp4(&payload, 1, false);
    let t = near.windows(4).position(|w| w == b"stco").unwrap();
    near[t + 12..t + 16].copy_from_slice(&0xFFFF_FF00u32.to_be_bytes());
    assert_eq!(
        sign(&near, BmffOptions::default()).unwrap_err(),
        GeneratorError::OffsetOverflow { box_type: "stco" }
    );
}

#[test]
fn replacing_keeps_offsets_right_and_one_store() {
    let payload: Vec<u8> = (0..20_000u32)
        .map(|i| u8::try_from(i % 241).unwrap())
        .collect();
    let input = mp4(&payload, 4, false);
    let (first, _) = sign(&input, BmffOptions::default()).unwrap();
    let (second, signed) = resign(&first, BmffOptions::default()).unwrap();
    let kinds: Vec<_> = top(&second).iter().map(|b| b.1).collect();
    assert_eq!(kinds, [*b"ftyp", *b"uuid", *b"moov", *b"mdat"]);
    let store = stored(&second);
    assert_eq!(store.as_bytes(), signed.store.as_slice());
    assert_eq!(
        bmff_hash(&store).hash.unwrap(),
        independent_hash(&second, false)
    );
    // Every chunk offset points at the same media bytes as in the input.
    let t_in = input.windows(4).position(|w| w == b"stco").unwrap();
    let t_out = second.windows(4).position(|w| w == b"stco").unwrap();
    for i in 0..4 {
        let a = usize::try_from(u32_at(&input, t_in + 12 + i * 4)).unwrap();
        let b = usize::try_from(u32_at(&second, t_out + 12 + i * 4)).unwrap();
        assert_eq!(&second[b..b + 64], &input[a..a + 64]);
    }
    // Removing the uuid box gives back the input.
    let (at, _, size) = top(&second)[1];
    let mut stripped = second.clone();
    stripped.drain(at..at + size);
    let t = stripped.windows(4).position(|w| w == b"stco").unwrap();
    for i in 0..4 {
        let shifted = u32_at(&stripped, t + 12 + i * 4) - u64::try_from(size).unwrap();
        stripped[t + 12 + i * 4..t + 16 + i * 4]
            .copy_from_slice(&u32::try_from(shifted).unwrap().to_be_bytes());
    }
    assert_eq!(stripped, input);
}
