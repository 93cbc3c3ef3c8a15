//! TIFF locator tests on hand-built files (classic and BigTIFF, both byte orders), and the
//! shared builder of the generator's tests.

use std::io::Cursor;

use super::*;

/// One IFD entry as built: tag, type, count, value bytes (in the file's byte order).
pub(crate) type Entry = (u16, u16, u64, Vec<u8>);

/// Builds a TIFF: each page is a strip of `strip` bytes and an IFD with width, height,
/// BitsPerSample (3 SHORTs, out of line in classic TIFF), StripOffsets, StripByteCounts and the
/// `extra` entries; IFDs are chained in order.
pub(crate) fn build(kind: TiffKind, pages: usize, strip: usize, extra: &[Entry]) -> Vec<u8> {
    let w = kind.offset_len();
    let mut out = if kind.big {
        let mut h = if kind.little_endian {
            b"II".to_vec()
        } else {
            b"MM".to_vec()
        };
        h.extend(kind.put(43, 2));
        h.extend(kind.put(8, 2));
        h.extend(kind.put(0, 2));
        h.extend(kind.put(0, 8));
        h
    } else {
        let mut h = if kind.little_endian {
            b"II".to_vec()
        } else {
            b"MM".to_vec()
        };
        h.extend(kind.put(42, 2));
        h.extend(kind.put(0, 4));
        h
    };
    let first_ptr = if kind.big { 8 } else { 4 };
    let mut prev_next = first_ptr;
    for page in 0..pages {
        let strip_at = u64::try_from(out.len()).unwrap();
        out.extend((0..strip).map(|i| u8::try_from((i * 7 + page) % 256).unwrap()));
        let short = |v: u64| kind.put(v, 2);
        let long = |v: u64| kind.put(v, 4);
        let mut entries: Vec<Entry> = vec![
            (256, 3, 1, short(4)),
            (257, 3, 1, short(u64::try_from(strip / 12).unwrap())),
            (258, 3, 3, [short(8), short(8), short(8)].concat()),
            (273, 4, 1, long(strip_at)),
            (279, 4, 1, long(u64::try_from(strip).unwrap())),
        ];
        entries.extend(extra.iter().cloned());
        entries.sort_by_key(|e| e.0);
        // Out-of-line values first (word-aligned), then the IFD.
        let mut values = Vec::new();
        for (_, _, _, data) in &entries {
            if data.len() > w {
                if out.len() % 2 == 1 {
                    out.push(0);
                }
                values.push(Some(u64::try_from(out.len()).unwrap()));
                out.extend_from_slice(data);
            } else {
                values.push(None);
            }
        }
        if out.len() % 2 == 1 {
            out.push(0);
        }
        let ifd_at = u64::try_from(out.len()).unwrap();
        let ptr = kind.put(ifd_at, w);
        out[prev_next..prev_next + w].copy_from_slice(&ptr);
        out.extend(kind.put(u64::try_from(entries.len()).unwrap(), kind.count_len()));
        for ((tag, ty, count, data), at) in entries.iter().zip(values) {
            out.extend(kind.put(u64::from(*tag), 2));
            out.extend(kind.put(u64::from(*ty), 2));
            out.extend(kind.put(*count, w));
            match at {
                Some(a) => out.extend(kind.put(a, w)),
                None => {
                    let mut v = data.clone();
                    v.resize(w, 0);
                    out.extend(v);
                }
            }
        }
        prev_next = out.len();
        out.extend(kind.put(0, w));
    }
    out
}

pub(crate) const KINDS: [TiffKind; 4] = [
    TiffKind {
        little_endian: true,
        big: false,
    },
    TiffKind {
        little_endian: false,
        big: false,
    },
    TiffKind {
        little_endian: true,
        big: true,
    },
    TiffKind {
        little_endian: false,
        big: true,
    },
];

/// A minimal JUMBF superbox that passes as a store for the locator.
fn fake_store() -> Vec<u8> {
    vec![7u8; 40]
}

#[test]
fn chains_are_walked_in_every_byte_order_and_width() {
    for kind in KINDS {
        let file = build(kind, 3, 24, &[]);
        let l = layout(&mut Cursor::new(&file), &ContainerLimits::default()).unwrap();
        assert_eq!(l.kind, kind);
        assert_eq!(l.ifds.len(), 3);
        assert!(l.ifds.iter().all(|i| i.entries == 5 && i.c2pa.is_none()));
        assert_eq!(
            locate(&mut Cursor::new(&file), &ContainerLimits::default()).unwrap(),
            None
        );
    }
}

#[test]
fn the_c2pa_tag_is_found_in_any_ifd() {
    for kind in KINDS {
        let store = fake_store();
        let file = build(
            kind,
            2,
            16,
            &[(
                C2PA_TAG,
                UNDEFINED,
                u64::try_from(store.len()).unwrap(),
                store.clone(),
            )],
        );
        // Present in both pages: two stores.
        assert_eq!(
            locate(&mut Cursor::new(&file), &ContainerLimits::default()).unwrap_err(),
            ContainerError::MultipleStores
        );
        let one = build(
            kind,
            1,
            16,
            &[(
                C2PA_TAG,
                UNDEFINED,
                u64::try_from(store.len()).unwrap(),
                store.clone(),
            )],
        );
        let found = locate(&mut Cursor::new(&one), &ContainerLimits::default())
            .unwrap()
            .unwrap();
        assert_eq!(found.store, store);
        let r = found.ranges[0].clone();
        assert_eq!(
            &one[usize::try_from(r.start).unwrap()..usize::try_from(r.end).unwrap()],
            store.as_slice()
        );
    }
}

#[test]
fn malformed_files_are_specific_errors() {
    let kind = KINDS[0];
    let limits = ContainerLimits::default();
    assert_eq!(
        locate(&mut Cursor::new(b"GIF89a...."), &limits).unwrap_err(),
        ContainerError::NotFormat { format: "TIFF" }
    );
    // A loop: IFD 0's next pointer points at itself.
    let mut file = build(kind, 1, 8, &[]);
    let ifd0 = usize::try_from(kind.uint(&file[4..8])).unwrap();
    let next_at = ifd0 + 2 + 5 * 12;
    let self_ptr = kind.put(u64::try_from(ifd0).unwrap(), 4);
    file[next_at..next_at + 4].copy_from_slice(&self_ptr);
    assert!(matches!(
        locate(&mut Cursor::new(&file), &limits),
        Err(ContainerError::Malformed {
            what: "the IFD chain loops",
            ..
        })
    ));
    // An IFD past the end.
    let mut file = build(kind, 1, 8, &[]);
    let len = u64::try_from(file.len()).unwrap();
    file[4..8].copy_from_slice(&kind.put(len - 4, 4));
    assert!(matches!(
        locate(&mut Cursor::new(&file), &limits),
        Err(ContainerError::Malformed { .. } | ContainerError::Truncated { .. })
    ));
    // The C2PA tag of the wrong type, and pointing outside the file.
    let store = fake_store();
    let file = build(
        kind,
        1,
        8,
        &[(
            C2PA_TAG,
            1,
            u64::try_from(store.len()).unwrap(),
            store.clone(),
        )],
    );
    assert!(matches!(
        locate(&mut Cursor::new(&file), &limits),
        Err(ContainerError::Malformed {
            what: "the C2PA tag is not of type 7 (UNDEFINED)",
            ..
        })
    ));
    let mut file = build(
        kind,
        1,
        8,
        &[(
            C2PA_TAG,
            UNDEFINED,
            u64::try_from(store.len()).unwrap(),
            store,
        )],
    );
    let n = file.len();
    file.truncate(n - 100);
    assert!(locate(&mut Cursor::new(&file), &limits).is_err());
    // Too many entries for the budget.
    let file = build(kind, 2, 8, &[]);
    let tight = ContainerLimits {
        max_segments: 7,
        ..limits
    };
    assert!(matches!(
        locate(&mut Cursor::new(&file), &tight),
        Err(ContainerError::TooManySegments { .. })
    ));
}

/// Deterministic mutations (byte flips, truncations) of valid files never panic the locator:
/// every outcome is a store, no store, or a specific error.
#[test]
fn mutated_files_give_errors_not_panics() {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut rand = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let limits = ContainerLimits::default();
    for kind in KINDS {
        let store = fake_store();
        let base = build(
            kind,
            2,
            12,
            &[(
                C2PA_TAG,
                UNDEFINED,
                u64::try_from(store.len()).unwrap(),
                store,
            )],
        );
        for _ in 0..400 {
            let mut file = base.clone();
            for _ in 0..1 + rand() % 4 {
                let at = usize::try_from(rand() % u64::try_from(file.len()).unwrap()).unwrap();
                file[at] = u8::try_from(rand() % 256).unwrap();
            }
            if rand() % 4 == 0 {
                let n = usize::try_from(rand() % u64::try_from(file.len()).unwrap()).unwrap();
                file.truncate(n);
            }
            let _ = locate(&mut Cursor::new(&file), &limits);
        }
    }
}
