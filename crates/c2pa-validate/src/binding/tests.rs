//! Unit tests of the asset helpers.

use std::io::{BufRead, Cursor, Read, Seek, SeekFrom};

use super::*;

#[test]
fn a_window_is_an_asset_of_its_own() {
    let bytes: Vec<u8> = (0..=255u8).collect();
    let mut inner = Cursor::new(bytes);
    let mut w = Window::new(&mut inner, &(100..110)).unwrap();
    let mut all = Vec::new();
    w.read_to_end(&mut all).unwrap();
    assert_eq!(all, (100..110u8).collect::<Vec<_>>());
    assert_eq!(w.seek(SeekFrom::End(-3)).unwrap(), 7);
    assert_eq!(w.fill_buf().unwrap(), [107, 108, 109]);
    assert_eq!(w.seek(SeekFrom::Start(2)).unwrap(), 2);
    let mut two = [0u8; 2];
    w.read_exact(&mut two).unwrap();
    assert_eq!(two, [102, 103]);
    assert!(w.seek(SeekFrom::Current(-5)).is_err());
    assert_eq!(asset_len(&mut w).unwrap(), 10);
    // Hashing a range of the window hashes the inner bytes at the shifted offsets.
    let mut h = Sha2Hashes.start(HashAlg::Sha256);
    hash_range(&mut w, 1, 3, &mut h).unwrap();
    assert_eq!(h.finish(), HashAlg::Sha256.digest(&[101, 102, 103]));
    // Reading past the window's end stops there.
    w.seek(SeekFrom::Start(9)).unwrap();
    let mut rest = Vec::new();
    w.read_to_end(&mut rest).unwrap();
    assert_eq!(rest, [109]);
}
