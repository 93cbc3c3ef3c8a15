//! The chain: intact when appended in order; any flipped byte in any field of any record,
//! a removed or an inserted record is found at the record where it happened.

use super::*;

fn chain(n: usize) -> Vec<Record> {
    let mut out: Vec<Record> = Vec::new();
    for i in 0..n {
        let entry = Entry::new(
            1_000 + i64::try_from(i).unwrap(),
            format!("operator:tester{i}"),
            action::CERTIFICATE_REVOKED,
            (i % 2 == 0).then(|| format!("0A{i:02X}")),
            &serde_json::json!({"reason": "keyCompromise", "n": i}),
        );
        let after = out.last().map(|r| (r.seq, r.hash.clone()));
        out.push(chained(&entry, after));
    }
    out
}

fn verify_all(records: &[Record]) -> Result<(u64, Head), Broken> {
    let mut v = Verifier::default();
    for r in records {
        v.push(r)?;
    }
    Ok(v.finish())
}

#[test]
fn an_appended_chain_verifies_and_names_its_head() {
    let records = chain(6);
    let (n, head) = verify_all(&records).unwrap();
    assert_eq!(n, 6);
    assert_eq!(head, Some((6, records[5].hash.clone())));
    assert_eq!(records[0].prev, GENESIS);
    assert_eq!(verify_all(&[]).unwrap(), (0, None));
}

/// Every byte of every field, flipped one at a time, is caught at that record.
#[test]
fn any_flipped_byte_is_found_where_it_is() {
    let records = chain(4);
    for i in 0..records.len() {
        let seq = records[i].seq;
        let flip_str = |s: &str, at: usize| -> String {
            let mut b = s.as_bytes().to_vec();
            b[at] ^= 0x01;
            String::from_utf8(b).unwrap()
        };
        let r = &records[i];
        let mut variants: Vec<Record> = Vec::new();
        for at in 0..r.actor.len() {
            variants.push(Record {
                actor: flip_str(&r.actor, at),
                ..r.clone()
            });
        }
        for at in 0..r.action.len() {
            variants.push(Record {
                action: flip_str(&r.action, at),
                ..r.clone()
            });
        }
        for at in 0..r.detail.len() {
            variants.push(Record {
                detail: flip_str(&r.detail, at),
                ..r.clone()
            });
        }
        if let Some(t) = &r.target {
            for at in 0..t.len() {
                variants.push(Record {
                    target: Some(flip_str(t, at)),
                    ..r.clone()
                });
            }
        }
        variants.push(Record {
            target: r.target.is_none().then(String::new),
            ..r.clone()
        });
        for bit in 0..64 {
            variants.push(Record {
                at: r.at ^ (1 << bit),
                ..r.clone()
            });
        }
        for at in 0..32 {
            let mut prev = r.prev.clone();
            prev[at] ^= 0x80;
            variants.push(Record { prev, ..r.clone() });
            let mut hash = r.hash.clone();
            hash[at] ^= 0x80;
            variants.push(Record { hash, ..r.clone() });
        }
        for v in variants {
            let mut tampered = records.clone();
            tampered[i] = v;
            let e = verify_all(&tampered).unwrap_err();
            assert!(
                matches!(e, Broken::Content(s) if s == seq),
                "record {seq}: {e}"
            );
        }
    }
}

#[test]
fn removed_inserted_and_recomputed_records_break_the_chain() {
    let records = chain(5);
    let mut removed = records.clone();
    removed.remove(2);
    assert_eq!(
        verify_all(&removed).unwrap_err(),
        Broken::Sequence {
            found: 4,
            expected: 3
        }
    );
    // A record replaced by one whose hash is recomputed for its new content: the next
    // record no longer follows it.
    let mut forged = records.clone();
    let entry = Entry::new(
        5,
        "operator:mallory",
        action::CERTIFICATE_REVOKED,
        None,
        &serde_json::json!({}),
    );
    forged[2] = chained(&entry, Some((2, records[1].hash.clone())));
    assert_eq!(verify_all(&forged).unwrap_err(), Broken::Link(4, 3));
    // Renumbered after a removal, hashes recomputed from there: only the head tells.
    let mut shorter = records.clone();
    shorter.truncate(4);
    let (_, head) = verify_all(&shorter).unwrap();
    assert_ne!(head, verify_all(&records).unwrap().1);
}

/// Attempts are counted per sender, outcome and reason; beyond the key limit they are
/// counted together; labels from requests are cut and cleaned; a drain starts again.
#[test]
fn attempts_are_counted_within_bounds() {
    let a = Attempts::default();
    assert!(a.drain(5).is_empty());
    a.record(10, "cmp:ref:1", None);
    a.record(11, "cmp:ref:1", None);
    a.record(12, "claimed:ref:2", Some("MAC does not verify"));
    let long = format!("claimed:{}\n\u{7}", "x".repeat(500));
    a.record(12, &long, Some("bad"));
    for i in 0..MAX_ATTEMPT_KEYS + 5 {
        a.record(
            13,
            &format!("claimed:ref:{i}x"),
            Some("unknown reference number"),
        );
    }
    let ops = a.drain(20);
    let entries: Vec<&Entry> = ops
        .iter()
        .map(|op| match op {
            crate::store::Op::Audit(e) => e,
            _ => panic!("not an audit entry"),
        })
        .collect();
    assert_eq!(entries.len(), MAX_ATTEMPT_KEYS + 1);
    let ok = entries.iter().find(|e| e.actor == "cmp:ref:1").unwrap();
    assert_eq!(ok.action, action::AUTHENTICATION_SUCCEEDED);
    assert!(
        ok.detail.contains("\"count\":2") && ok.detail.contains("\"from\":10"),
        "{}",
        ok.detail
    );
    let cut = entries
        .iter()
        .find(|e| e.actor.starts_with("claimed:xxx"))
        .unwrap();
    assert!(
        cut.actor.len() <= 128 && !cut.actor.contains('\n'),
        "{}",
        cut.actor
    );
    let overflow = entries.last().unwrap();
    assert_eq!(overflow.actor, "signet");
    assert!(
        overflow.detail.contains("\"count\":8"),
        "{}",
        overflow.detail
    );
    assert!(a.drain(30).is_empty());
}
