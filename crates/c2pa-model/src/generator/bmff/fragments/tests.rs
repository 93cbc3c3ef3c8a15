//! Fragmented MP4 signing on hand-built files: a validator's computation of the `initHash`, the
//! leaves and the proofs (done here independently over the signed bytes), `merkle` boxes before
//! each `moof`, offsets redrawn (`tfra`, `sidx`), split files, and refusals.

use std::io::Cursor;

use super::super::tests::{bmff_hash, bx, ftyp, full, resign, sign, stored, top};
use super::*;
use crate::assertion::MerkleMap;
use crate::container::bmff::{MerkleBox, merkle_boxes};
use crate::cose::SignOptions;
use crate::generator::ManifestDefinition;
use crate::generator::merkle::climb;
use crate::generator::tests::{CountingRng, es256};

fn moof(track: u32, seq: u32) -> Vec<u8> {
    // tfhd with default-base-is-moof (no absolute offset), trun with a data offset.
    let tfhd = full(b"tfhd", 0, 0x02_0000, &track.to_be_bytes());
    let mut trun = 1u32.to_be_bytes().to_vec();
    trun.extend_from_slice(&0u32.to_be_bytes());
    let traf = bx(b"traf", &[tfhd, full(b"trun", 0, 1, &trun)].concat());
    bx(
        b"moof",
        &[full(b"mfhd", 0, 0, &seq.to_be_bytes()), traf].concat(),
    )
}

fn moov() -> Vec<u8> {
    let mvex = bx(b"mvex", &full(b"trex", 0, 0, &[0; 20]));
    bx(b"moov", &[full(b"mvhd", 0, 0, &[0; 96]), mvex].concat())
}

/// A `sidx` (version 0) whose references are `sizes`, `first_offset` from its end.
fn sidx(first_offset: u32, sizes: &[u32]) -> Vec<u8> {
    let mut p = 1u32.to_be_bytes().to_vec();
    p.extend_from_slice(&1000u32.to_be_bytes());
    p.extend_from_slice(&0u32.to_be_bytes());
    p.extend_from_slice(&first_offset.to_be_bytes());
    p.extend_from_slice(&0u16.to_be_bytes());
    p.extend_from_slice(&u16::try_from(sizes.len()).unwrap().to_be_bytes());
    for s in sizes {
        p.extend_from_slice(&s.to_be_bytes());
        p.extend_from_slice(&100u32.to_be_bytes());
        p.extend_from_slice(&0x9000_0000u32.to_be_bytes());
    }
    full(b"sidx", 0, 0, &p)
}

fn sidx_fields(file: &[u8], at: usize) -> (u64, Vec<u64>) {
    let first = u64::from(u32::from_be_bytes(
        file[at + 24..at + 28].try_into().unwrap(),
    ));
    let count = usize::from(u16::from_be_bytes(
        file[at + 30..at + 32].try_into().unwrap(),
    ));
    let sizes = (0..count)
        .map(|i| {
            let p = at + 32 + i * 12;
            u64::from(u32::from_be_bytes(file[p..p + 4].try_into().unwrap()) & 0x7FFF_FFFF)
        })
        .collect();
    (first, sizes)
}

fn mfra(moof_offsets: &[u64]) -> Vec<u8> {
    let mut p = 1u32.to_be_bytes().to_vec();
    p.extend_from_slice(&0u32.to_be_bytes());
    p.extend_from_slice(&u32::try_from(moof_offsets.len()).unwrap().to_be_bytes());
    for o in moof_offsets {
        p.extend_from_slice(&0u64.to_be_bytes());
        p.extend_from_slice(&o.to_be_bytes());
        p.extend_from_slice(&[1, 1, 1]);
    }
    bx(b"mfra", &full(b"tfra", 1, 0, &p))
}

/// A flat fragmented file: ftyp, moov, sidx, then a moof/mdat pair per track in `tracks`,
/// then mfra.
fn flat(tracks: &[u32]) -> Vec<u8> {
    let pairs: Vec<Vec<u8>> = tracks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let seq = u32::try_from(i).unwrap();
            let len = 40 + (i * 7) % 13;
            let payload: Vec<u8> = (0..len)
                .map(|b| u8::try_from((b + i) % 256).unwrap())
                .collect();
            [moof(*t, seq), bx(b"mdat", &payload)].concat()
        })
        .collect();
    let sizes: Vec<u32> = pairs
        .iter()
        .map(|p| u32::try_from(p.len()).unwrap())
        .collect();
    let head = [ftyp(), moov(), sidx(0, &sizes)].concat();
    let mut offsets = Vec::new();
    let mut at = head.len();
    for p in &pairs {
        offsets.push(u64::try_from(at).unwrap());
        at += p.len();
    }
    [head, pairs.concat(), mfra(&offsets)].concat()
}

fn is_c2pa(file: &[u8], at: usize, kind: [u8; 4]) -> bool {
    &kind == b"uuid" && file[at + 8..at + 24] == C2PA_UUID
}

/// `offset ‖ bytes` of each top-level box in `[from, to)` that no mandatory exclusion covers.
fn hash_boxes(file: &[u8], from: usize, to: usize) -> Vec<u8> {
    let mut data = Vec::new();
    for (at, kind, size) in top(file) {
        if at < from || at >= to || &kind == b"ftyp" || &kind == b"mfra" || is_c2pa(file, at, kind)
        {
            continue;
        }
        data.extend_from_slice(&u64::try_from(at).unwrap().to_be_bytes());
        data.extend_from_slice(&file[at..at + size]);
    }
    HashAlg::Sha256.digest(&data)
}

fn rows_of(count: u64) -> Vec<usize> {
    row_lengths(count)
        .iter()
        .map(|n| usize::try_from(*n).unwrap())
        .collect()
}

/// Checks one box's leaf against the manifest's tree as a validator does.
fn check_proof(map: &MerkleMap, b: &MerkleBox, leaf: &[u8]) {
    assert_eq!(b.map.unique_id, map.unique_id);
    assert_eq!(b.map.local_id, map.local_id);
    let rows = rows_of(map.count);
    let row = rows.iter().position(|n| *n == map.hashes.len()).unwrap();
    let proof = b.map.hashes.clone().unwrap_or_default();
    let location = usize::try_from(b.map.location).unwrap();
    let node = climb(HashAlg::Sha256, leaf, location, &rows[..row], &proof);
    assert_eq!(node, map.hashes[location >> row], "leaf {location}");
}

fn sign_with(input: &[u8], max_leaves: u64) -> Vec<u8> {
    let opts = BmffOptions {
        max_leaves,
        ..BmffOptions::default()
    };
    sign(input, opts).unwrap().0
}

#[test]
fn row_and_proof_shapes_agree_with_the_tree() {
    assert_eq!(row_lengths(11), vec![11, 6, 3, 2, 1]);
    assert_eq!(row_lengths(1), vec![1]);
    assert_eq!(stored_row(11, 4096), 0);
    assert_eq!(stored_row(11, 3), 2);
    assert_eq!(stored_row(11, 0), 4);
    for count in 1..40u64 {
        let leaves: Vec<Vec<u8>> = (0..count)
            .map(|i| HashAlg::Sha256.digest(&i.to_be_bytes()))
            .collect();
        let tree = MerkleTree::from_leaves(HashAlg::Sha256, leaves);
        let rows = row_lengths(count);
        for row in 0..rows.len() {
            let shape = TreeShape {
                track_id: 1,
                count,
                row,
            };
            let fixed = shape.fixed_len(HashAlg::Sha256).unwrap();
            for i in 0..count {
                let ui = usize::try_from(i).unwrap();
                assert_eq!(proof_len(&rows, i, row), tree.proof(ui, row).len());
                let exact = shape.exact_len(i, HashAlg::Sha256).unwrap();
                assert!(exact <= fixed);
                let b = shape.merkle_box(i, &tree, fixed, HashAlg::Sha256).unwrap();
                assert_eq!(u64::try_from(b.len()).unwrap(), fixed);
            }
        }
    }
}

#[test]
fn flat_fragmented_file_gets_merkle_boxes_and_an_init_hash() {
    let input = flat(&[1, 1, 1, 1, 1]);
    let out = sign_with(&input, 2);
    let boxes = top(&out);
    // ftyp, manifest uuid, moov, sidx, then (merkle uuid, moof, mdat) × 5, mfra.
    let kinds: Vec<&[u8; 4]> = boxes.iter().map(|(_, k, _)| k).collect();
    assert_eq!(&kinds[..4], &[b"ftyp", b"uuid", b"moov", b"sidx"]);
    for i in 0..5 {
        assert_eq!(&kinds[4 + 3 * i..7 + 3 * i], &[b"uuid", b"moof", b"mdat"]);
    }
    assert_eq!(kinds[19], b"mfra");

    let hash = bmff_hash(&stored(&out));
    assert_eq!(hash.hash, None, "fragmented: no hash field (§18.6)");
    assert_eq!(hash.merkle.len(), 1);
    let map = &hash.merkle[0];
    assert_eq!((map.unique_id, map.local_id, map.count), (1, 1, 5));
    // max_leaves 2: the row of 2 hashes (5 → 3 → 2).
    assert_eq!(map.hashes.len(), 2);
    let moof_at: Vec<usize> = boxes
        .iter()
        .filter(|(_, k, _)| k == b"moof")
        .map(|(at, _, _)| *at)
        .collect();
    assert_eq!(
        map.init_hash.as_deref(),
        Some(hash_boxes(&out, 0, moof_at[0]).as_slice())
    );

    let aux = merkle_boxes(out.as_slice(), &ContainerLimits::default()).unwrap();
    assert_eq!(aux.len(), 5);
    assert!(
        aux.iter().all(|b| b.size == aux[0].size),
        "one size per tree"
    );
    // The manifest box records the first merkle box's offset.
    let manifest_at = boxes[1].0;
    let recorded = u64::from_be_bytes(out[manifest_at + 37..manifest_at + 45].try_into().unwrap());
    assert_eq!(recorded, aux[0].offset);
    for (i, b) in aux.iter().enumerate() {
        assert_eq!(b.map.location, u64::try_from(i).unwrap());
        assert_eq!(usize::try_from(b.offset + b.size).unwrap(), moof_at[i]);
        let end = moof_at.get(i + 1).copied().unwrap_or(out.len());
        check_proof(map, b, &hash_boxes(&out, moof_at[i], end));
    }

    // tfra points at each moof; the sidx covers merkle box + moof + mdat per subsegment.
    let r = out.windows(4).position(|w| w == b"tfra").unwrap();
    for (i, at) in moof_at.iter().enumerate() {
        let p = r + 20 + i * 19 + 8;
        let off = u64::from_be_bytes(out[p..p + 8].try_into().unwrap());
        assert_eq!(off, u64::try_from(*at).unwrap());
    }
    let (sidx_at, _, sidx_size) = boxes[3];
    let (first, sizes) = sidx_fields(&out, sidx_at);
    let mut pos = u64::try_from(sidx_at + sidx_size).unwrap() + first;
    assert_eq!(pos, aux[0].offset);
    for (i, size) in sizes.iter().enumerate() {
        assert_eq!(pos, aux[i].offset);
        pos += size;
    }
    assert_eq!(usize::try_from(pos).unwrap(), boxes[19].0);
}

#[test]
fn each_track_of_a_flat_file_gets_its_tree() {
    let out = sign_with(&flat(&[1, 2, 1, 2, 1]), 4096);
    let hash = bmff_hash(&stored(&out));
    let ids: Vec<(i64, u64)> = hash.merkle.iter().map(|m| (m.local_id, m.count)).collect();
    assert_eq!(ids, vec![(1, 3), (2, 2)]);
    let aux = merkle_boxes(out.as_slice(), &ContainerLimits::default()).unwrap();
    let locations: Vec<(i64, u64)> = aux
        .iter()
        .map(|b| (b.map.local_id, b.map.location))
        .collect();
    assert_eq!(locations, vec![(1, 0), (2, 0), (1, 1), (2, 1), (1, 2)]);
    let moof_at: Vec<usize> = top(&out)
        .iter()
        .filter(|(_, k, _)| k == b"moof")
        .map(|(at, _, _)| *at)
        .collect();
    for (i, b) in aux.iter().enumerate() {
        let map = hash
            .merkle
            .iter()
            .find(|m| m.local_id == b.map.local_id)
            .unwrap();
        // Leaf rows in the manifest: no proofs.
        assert_eq!(b.map.hashes, None);
        let end = moof_at.get(i + 1).copied().unwrap_or(out.len());
        check_proof(map, b, &hash_boxes(&out, moof_at[i], end));
    }
}

#[test]
fn a_fragmented_file_has_no_sidecar() {
    let signer = es256();
    let chain = vec![vec![0x30, 0x00]];
    let opts = SignOptions {
        signer: &signer,
        chain: &chain,
        timestamper: None,
        ocsp_vals: &[],
    };
    let def = ManifestDefinition::default();
    let g = Generator::new(&def, &opts, &CountingRng);
    assert!(matches!(
        g.sidecar(
            crate::container::Format::Bmff,
            &mut Cursor::new(flat(&[1, 1]))
        ),
        Err(GeneratorError::Fragments { .. })
    ));
}

/// A fragment file: styp, sidx (one reference: moof + mdat), moof, mdat.
fn fragment_file(track: u32, seq: u32, len: usize) -> Vec<u8> {
    let payload: Vec<u8> = (0..len)
        .map(|b| u8::try_from((b * 3 + 1) % 256).unwrap())
        .collect();
    let pair = [moof(track, seq), bx(b"mdat", &payload)].concat();
    [
        bx(b"styp", b"msdh\0\0\0\0msdhmsix"),
        sidx(0, &[u32::try_from(pair.len()).unwrap()]),
        pair,
    ]
    .concat()
}

fn sign_split(
    init: &[u8],
    fragments: &[Vec<u8>],
    max_leaves: u64,
) -> Result<(Vec<u8>, Vec<Vec<u8>>), GeneratorError> {
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
    g.bmff.max_leaves = max_leaves;
    let mut inputs: Vec<Cursor<Vec<u8>>> = fragments.iter().cloned().map(Cursor::new).collect();
    let mut outputs: Vec<Cursor<Vec<u8>>> =
        fragments.iter().map(|_| Cursor::new(Vec::new())).collect();
    let mut pairs: Vec<(&mut dyn ReadSeek, &mut dyn crate::generator::WriteSeek)> = Vec::new();
    for (i, o) in inputs.iter_mut().zip(outputs.iter_mut()) {
        pairs.push((i, o));
    }
    let mut init_out = Cursor::new(Vec::new());
    g.embed_fragmented(&mut Cursor::new(init.to_vec()), &mut init_out, &mut pairs)?;
    Ok((
        init_out.into_inner(),
        outputs.into_iter().map(Cursor::into_inner).collect(),
    ))
}

#[test]
fn split_fragments_carry_merkle_boxes_and_the_init_holds_the_trees() {
    let init = [ftyp(), moov()].concat();
    let fragments: Vec<Vec<u8>> = (0..7)
        .map(|i| {
            fragment_file(
                if i % 3 == 2 { 2 } else { 1 },
                i,
                30 + usize::try_from(i).unwrap(),
            )
        })
        .collect();
    let (init_out, outs) = sign_split(&init, &fragments, 2).unwrap();
    let hash = bmff_hash(&stored(&init_out));
    assert_eq!(hash.hash, None);
    let ids: Vec<(i64, u64)> = hash.merkle.iter().map(|m| (m.local_id, m.count)).collect();
    assert_eq!(ids, vec![(1, 5), (2, 2)]);
    let init_hash = hash_boxes(&init_out, 0, init_out.len());
    for m in &hash.merkle {
        assert_eq!(m.init_hash.as_deref(), Some(init_hash.as_slice()));
    }
    for (out, original) in outs.iter().zip(&fragments) {
        let boxes = top(out);
        let kinds: Vec<&[u8; 4]> = boxes.iter().map(|(_, k, _)| k).collect();
        assert_eq!(kinds, vec![b"styp", b"sidx", b"uuid", b"moof", b"mdat"]);
        let aux = merkle_boxes(out.as_slice(), &ContainerLimits::default()).unwrap();
        assert_eq!(aux.len(), 1);
        assert_eq!(
            out.len(),
            original.len() + usize::try_from(aux[0].size).unwrap()
        );
        let map = hash
            .merkle
            .iter()
            .find(|m| m.local_id == aux[0].map.local_id)
            .unwrap();
        check_proof(map, &aux[0], &hash_boxes(out, 0, out.len()));
        // The sidx reference now starts at the merkle box and covers it.
        let (first, sizes) = sidx_fields(out, boxes[1].0);
        assert_eq!(first, 0);
        assert_eq!(usize::try_from(sizes[0]).unwrap(), out.len() - boxes[2].0);
    }
}

#[test]
fn split_refusals() {
    let init = [ftyp(), moov()].concat();
    let one = fragment_file(1, 0, 10);
    let two_moofs = [one.clone(), moof(1, 1), bx(b"mdat", &[1; 4])].concat();
    assert!(matches!(
        sign_split(&init, &[two_moofs], 4096),
        Err(GeneratorError::Bmff {
            box_type: "moof",
            ..
        })
    ));
    let no_moof = bx(b"styp", b"msdh\0\0\0\0");
    assert_eq!(
        sign_split(&init, &[no_moof], 4096).unwrap_err(),
        GeneratorError::Fragments {
            what: "a fragment file has no moof"
        }
    );
    assert_eq!(
        sign_split(&init, &[], 4096).unwrap_err(),
        GeneratorError::Fragments {
            what: "no fragment files"
        }
    );
    let init_with_moof = [ftyp(), moov(), moof(1, 0)].concat();
    assert_eq!(
        sign_split(&init_with_moof, std::slice::from_ref(&one), 4096).unwrap_err(),
        GeneratorError::Fragments {
            what: "the init segment holds a moof"
        }
    );
    let (_, signed) = sign_split(&init, std::slice::from_ref(&one), 4096).unwrap();
    assert_eq!(
        sign_split(&init, &signed, 4096).unwrap_err(),
        GeneratorError::AlreadySigned
    );
    // A moof without a traf/tfhd has no track.
    let bare = [
        bx(b"moof", &full(b"mfhd", 0, 0, &[0; 4])),
        bx(b"mdat", &[0; 4]),
    ]
    .concat();
    assert!(matches!(
        sign_split(&init, &[bare], 4096),
        Err(GeneratorError::Bmff {
            box_type: "moof",
            ..
        })
    ));
}

#[test]
fn a_signed_flat_fragmented_file_is_resigned_with_fresh_merkle_boxes() {
    let input = flat(&[1, 1, 1, 1]);
    let first = sign_with(&input, 2);
    let opts = BmffOptions {
        max_leaves: 2,
        ..BmffOptions::default()
    };
    let (out, _) = resign(&first, opts).unwrap();
    let aux = merkle_boxes(out.as_slice(), &ContainerLimits::default()).unwrap();
    assert_eq!(aux.len(), 4, "old merkle boxes gone, one new one per moof");
    let boxes = top(&out);
    assert_eq!(
        boxes
            .iter()
            .filter(|(at, k, _)| is_c2pa(&out, *at, *k))
            .count(),
        5
    );
    let hash = bmff_hash(&stored(&out));
    let map = &hash.merkle[0];
    let moof_at: Vec<usize> = boxes
        .iter()
        .filter(|(_, k, _)| k == b"moof")
        .map(|(at, _, _)| *at)
        .collect();
    assert_eq!(
        map.init_hash.as_deref(),
        Some(hash_boxes(&out, 0, moof_at[0]).as_slice())
    );
    for (i, b) in aux.iter().enumerate() {
        let end = moof_at.get(i + 1).copied().unwrap_or(out.len());
        check_proof(map, b, &hash_boxes(&out, moof_at[i], end));
    }
    let r = out.windows(4).position(|w| w == b"tfra").unwrap();
    for (i, at) in moof_at.iter().enumerate() {
        let p = r + 20 + i * 19 + 8;
        assert_eq!(
            u64::from_be_bytes(out[p..p + 8].try_into().unwrap()),
            u64::try_from(*at).unwrap()
        );
    }
    assert_eq!(out.len(), first.len(), "same-sized boxes replaced in place");
}

/// Deterministic mutations of a signed fragmented file never panic the merkle-box reader or a
/// re-signing scan.
#[test]
fn mutated_fragmented_files_give_errors_not_panics() {
    let signed = sign_with(&flat(&[1, 2, 1]), 2);
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut rand = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..300 {
        let mut file = signed.clone();
        for _ in 0..1 + rand() % 3 {
            let at = usize::try_from(rand() % u64::try_from(file.len()).unwrap()).unwrap();
            file[at] = u8::try_from(rand() % 256).unwrap();
        }
        let _ = merkle_boxes(file.as_slice(), &ContainerLimits::default());
        let _ = resign(&file, BmffOptions::default());
    }
}
