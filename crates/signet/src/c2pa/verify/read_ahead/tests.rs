//! The read-ahead reader returns exactly what the file holds, for sequential and seeking reads.

use std::io::{BufRead, Read, Seek, SeekFrom};

use super::ReadAhead;

fn file_with(len: usize) -> (tempfile::NamedTempFile, Vec<u8>) {
    let data: Vec<u8> = (0..len)
        .map(|i| u8::try_from(i * 7 % 251).unwrap())
        .collect();
    let mut f = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut f, &data).unwrap();
    (f, data)
}

#[test]
fn sequential_reads_return_the_file() {
    let (f, data) = file_with(3 * (1 << 20) + 12_345);
    let mut r = ReadAhead::new(f.reopen().unwrap()).unwrap();
    let mut out = Vec::new();
    let mut buf = vec![0u8; 65_537];
    loop {
        let n = r.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    assert_eq!(out, data);
}

#[test]
fn seeks_anywhere_and_past_the_end() {
    let (f, data) = file_with(2 * (1 << 20) + 100);
    let mut r = ReadAhead::new(f.reopen().unwrap()).unwrap();
    for &at in &[5u64, 1 << 20, 17, 2 * (1 << 20) + 90, 0, 999_999] {
        r.seek(SeekFrom::Start(at)).unwrap();
        let mut buf = [0u8; 10];
        let n = r.read(&mut buf).unwrap();
        let at = usize::try_from(at).unwrap();
        let expect = &data[at..(at + 10).min(data.len())];
        assert_eq!(&buf[..n], &expect[..n]);
        assert!(n > 0);
    }
    assert_eq!(
        r.seek(SeekFrom::End(0)).unwrap(),
        u64::try_from(data.len()).unwrap()
    );
    let mut buf = [0u8; 4];
    assert_eq!(r.read(&mut buf).unwrap(), 0);
    r.seek(SeekFrom::Start(u64::MAX / 2)).unwrap();
    assert_eq!(r.read(&mut buf).unwrap(), 0);
    assert!(r.seek(SeekFrom::Current(i64::MIN)).is_err());
}

#[test]
fn buffered_reads_hand_out_the_blocks() {
    let (f, data) = file_with(2 * (1 << 20) + 3);
    let mut r = ReadAhead::new(f.reopen().unwrap()).unwrap();
    r.seek(SeekFrom::Start(10)).unwrap();
    let mut out = Vec::new();
    loop {
        let chunk = r.fill_buf().unwrap();
        if chunk.is_empty() {
            break;
        }
        let n = chunk.len().min(300_000);
        out.extend_from_slice(&chunk[..n]);
        r.consume(n);
    }
    assert_eq!(out, data[10..]);
}
