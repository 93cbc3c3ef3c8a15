//! TIFF signing on hand-built files: the new last IFD holds only the C2PA tag and precedes the
//! store at the end of the file; the previous last IFD points at it; the data hash recomputed
//! independently over everything but the store matches.

use std::io::Cursor;

use super::*;
use crate::assertion::Assertion;
use crate::container::tiff::tests::{KINDS, build};
use crate::container::{self, Format};
use crate::generator::ManifestDefinition;
use crate::generator::tests::{resign_bytes, sign_bytes};
use crate::jumbf::Limits;
use crate::store::ManifestStore;

#[test]
fn the_store_gets_its_own_last_ifd_in_every_byte_order_and_width() {
    for kind in KINDS {
        for pages in [1, 3] {
            // An odd strip length makes the input odd-sized: the IFD is word-aligned.
            let input = build(kind, pages, 25, &[]);
            let (out, _) =
                sign_bytes(Format::Tiff, &input, &ManifestDefinition::default()).unwrap();
            let limits = ContainerLimits::default();
            let l = tiff::layout(&mut Cursor::new(&out), &limits).unwrap();
            assert_eq!(l.ifds.len(), pages + 1, "{kind:?}");
            let last = l.ifds.last().unwrap();
            assert_eq!(last.entries, 1);
            assert_eq!(last.offset % 2, 0);
            let (ty, count, at) = last.c2pa.unwrap();
            assert_eq!(ty, UNDEFINED);
            assert_eq!(
                at + count,
                u64::try_from(out.len()).unwrap(),
                "the store ends the file"
            );
            // Everything before the patched pointer is the input, byte for byte.
            let prev = &l.ifds[pages - 1];
            let p = usize::try_from(prev.next_at).unwrap();
            assert_eq!(&out[..p], &input[..p]);
            assert_eq!(
                &out[p + kind.offset_len()..input.len()],
                &input[p + kind.offset_len()..]
            );

            let found = container::locate_seekable(Format::Tiff, Cursor::new(&out), &limits)
                .unwrap()
                .unwrap();
            let store = ManifestStore::from_bytes(found.store, &Limits::default()).unwrap();
            let m = store.active_manifest().unwrap();
            let Assertion::DataHash(d) = m.assertion("c2pa.hash.data").unwrap().decode().unwrap()
            else {
                panic!("no data hash");
            };
            let d = d.into_value();
            let ex = &d.exclusions[0];
            assert_eq!((ex.start, ex.start + ex.length), (at, at + count));
            let mut hashed = out[..usize::try_from(at).unwrap()].to_vec();
            hashed.extend_from_slice(&out[usize::try_from(at + count).unwrap()..]);
            assert_eq!(d.hash, HashAlg::Sha256.digest(&hashed));
        }
    }
}

#[test]
fn signed_files_and_garbage_are_refused() {
    let input = build(KINDS[1], 1, 10, &[]);
    let (out, _) = sign_bytes(Format::Tiff, &input, &ManifestDefinition::default()).unwrap();
    assert_eq!(
        sign_bytes(Format::Tiff, &out, &ManifestDefinition::default()).unwrap_err(),
        GeneratorError::AlreadySigned
    );
    assert!(matches!(
        sign_bytes(
            Format::Tiff,
            b"not a tiff at all",
            &ManifestDefinition::default()
        ),
        Err(GeneratorError::Container(_))
    ));
}

/// The data hash of a signed TIFF, checked over everything but the store.
fn recheck(out: &[u8]) -> (u64, u64) {
    let limits = ContainerLimits::default();
    let found = container::locate_seekable(Format::Tiff, Cursor::new(out), &limits)
        .unwrap()
        .unwrap();
    let store = ManifestStore::from_bytes(found.store, &Limits::default()).unwrap();
    let m = store.active_manifest().unwrap();
    let Assertion::DataHash(d) = m.assertion("c2pa.hash.data").unwrap().decode().unwrap() else {
        panic!("no data hash");
    };
    let d = d.into_value();
    let (at, len) = (d.exclusions[0].start, d.exclusions[0].length);
    let mut hashed = out[..usize::try_from(at).unwrap()].to_vec();
    hashed.extend_from_slice(&out[usize::try_from(at + len).unwrap()..]);
    assert_eq!(d.hash, HashAlg::Sha256.digest(&hashed));
    (at, len)
}

#[test]
fn replacing_cuts_our_own_ifd_and_rewrites_a_shared_one() {
    let limits = ContainerLimits::default();
    for kind in KINDS {
        // This generator's layout: the old IFD and store are cut off, the new ones take their
        // place.
        let input = build(kind, 2, 25, &[]);
        let (first, _) = sign_bytes(Format::Tiff, &input, &ManifestDefinition::default()).unwrap();
        let (second, _) = resign_bytes(Format::Tiff, &first).unwrap();
        assert_eq!(second.len(), first.len(), "{kind:?}");
        let l = tiff::layout(&mut Cursor::new(&second), &limits).unwrap();
        assert_eq!(l.ifds.len(), 3);
        assert_eq!(l.ifds.iter().filter(|i| i.c2pa.is_some()).count(), 1);
        recheck(&second);

        // The tag among IFD 0's other tags (as the reference SDK writes it): IFD 0 is rewritten
        // without it and the old data zeroed.
        let old = vec![0x5Au8; 64];
        let shared_one = build(
            kind,
            1,
            16,
            &[(
                C2PA_TAG,
                UNDEFINED,
                u64::try_from(old.len()).unwrap(),
                old.clone(),
            )],
        );
        let (out, _) = resign_bytes(Format::Tiff, &shared_one).unwrap();
        let l = tiff::layout(&mut Cursor::new(&out), &limits).unwrap();
        assert_eq!(l.ifds.len(), 2, "{kind:?}");
        assert_eq!((l.ifds[0].entries, l.ifds[0].c2pa), (5, None));
        assert!(l.ifds[1].c2pa.is_some());
        assert!(
            !out.windows(old.len()).any(|w| w == old.as_slice()),
            "old data zeroed"
        );
        recheck(&out);
    }
}
