//! The audit log (issue 14): what the RA, the CA and the operators did, chained by hashes in
//! the store. `signet audit verify` passes on the log a session writes and names the record
//! where any byte of any field was flipped; the head hash catches removed newest records;
//! no secret is ever in it.

use crate::support::{SUBJECT, Server};

/// `signet audit verify` (exit status, output).
fn verify(s: &Server, extra: &[&str]) -> (bool, String) {
    let mut args = vec!["audit", "verify"];
    args.extend_from_slice(extra);
    s.signet(&args)
}

fn sqlite(s: &Server, sql: &str) {
    let db = s.data().join("signet.db");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite:{}", db.display()))
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut c)
            .await
            .unwrap();
    });
}

#[test]
fn the_audit_log_records_a_session_and_verify_finds_any_flipped_byte() {
    let mut s = Server::start(&[]);
    let (reference, secret) = s.register(SUBJECT, None);
    let key = s.genkey("k.pem");
    let (ok, out) = s.ir_mac(&reference, &secret, &key, SUBJECT, "c.pem", &[]);
    assert!(ok, "{out}");
    let serial = s.serial_of(&s.p("c.pem").display().to_string());
    let (ok, out) = s.signet(&["ca", "revoke", &serial, "--reason", "keyCompromise"]);
    assert!(ok, "{out}");
    // Two guesses of the code: counted, and written at the next flush (here: the shutdown).
    let (other, _) = s.register(SUBJECT, None);
    for _ in 0..2 {
        let (ok, out) = s.ir_mac(&other, "wrong-code", &key, SUBJECT, "x.pem", &[]);
        assert!(!ok, "{out}");
    }
    s.stop_term();

    let (ok, out) = s.signet(&["audit", "export", "--json"]);
    assert!(ok, "{out}");
    assert!(!out.contains(&secret), "a code in the log: {out}");
    let records: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let find = |action: &str, target: Option<&str>| {
        records
            .iter()
            .find(|r| r["action"] == action && target.is_none_or(|t| r["target"] == t))
            .unwrap_or_else(|| panic!("no {action} {target:?} in {out}"))
    };
    assert_eq!(find("server.started", None)["actor"], "signet");
    let registered = find("registration.created", None);
    assert!(
        registered["actor"]
            .as_str()
            .unwrap()
            .starts_with("operator:")
    );
    let issued = find("certificate.issued", Some(&serial));
    assert_eq!(issued["actor"], format!("cmp:ref:{reference}"));
    find("certificate.confirmed", Some(&serial));
    let failed = records
        .iter()
        .find(|r| {
            r["action"] == "authentication.failed" && r["actor"] == format!("claimed:ref:{other}")
        })
        .unwrap_or_else(|| panic!("no failed attempt in {out}"));
    let detail: serde_json::Value =
        serde_json::from_str(failed["detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["count"], 2, "{detail}");
    assert!(!detail["why"].as_str().unwrap().is_empty(), "{detail}");
    assert!(
        records
            .iter()
            .any(|r| r["action"] == "authentication.succeeded" && r["actor"] == "cmp:ref:*"),
        "{out}"
    );
    let revoked = find("certificate.revoked", Some(&serial));
    assert!(
        revoked["actor"]
            .as_str()
            .unwrap()
            .starts_with("operator:cli:")
    );
    assert!(
        revoked["detail"]
            .as_str()
            .unwrap()
            .contains("keyCompromise")
    );

    let (ok, out) = verify(&s, &[]);
    assert!(
        ok && out.contains(&format!("{} records", records.len())),
        "{out}"
    );
    let head = out.rsplit("hash ").next().unwrap().trim().to_owned();
    assert_eq!(head, records.last().unwrap()["hash"]);

    // Tampering, with the server stopped (nothing else writes meanwhile): one flipped byte
    // in any field of any record is found at that record.
    let n = records.len();
    for seq in 1..=n {
        for (column, flip) in [
            ("actor", "actor = actor || ' '"),
            ("action", "action = upper(action)"),
            ("target", "target = COALESCE(target || 'x', 'x')"),
            ("detail", "detail = detail || ' '"),
            ("at", "at = at + 1"),
            (
                "prev",
                "prev = CASE WHEN substr(prev, 1, 1) = X'01' THEN X'02' ELSE X'01' END \
                 || substr(prev, 2)",
            ),
            (
                "hash",
                "hash = substr(hash, 1, 31) \
                 || CASE WHEN substr(hash, 32, 1) = X'00' THEN X'01' ELSE X'00' END",
            ),
        ] {
            if column == "prev" && seq == 1 {
                continue;
            }
            sqlite(
                &s,
                "CREATE TABLE IF NOT EXISTS keep AS SELECT * FROM audit_log WHERE 0",
            );
            sqlite(
                &s,
                &format!(
                    "DELETE FROM keep; INSERT INTO keep SELECT * FROM audit_log WHERE seq = {seq}"
                ),
            );
            sqlite(
                &s,
                &format!("UPDATE audit_log SET {flip} WHERE seq = {seq}"),
            );
            let (ok, out) = verify(&s, &[]);
            assert!(
                !ok && out.contains(&format!("record {seq}")),
                "{column} of record {seq} changed, verify said: {out}"
            );
            sqlite(
                &s,
                &format!(
                    "DELETE FROM audit_log WHERE seq = {seq}; INSERT INTO audit_log SELECT * FROM keep"
                ),
            );
        }
    }
    let (ok, out) = verify(&s, &["--head", &head]);
    assert!(ok, "restored: {out}");
    // A record removed from the middle: found. The newest removed: only the head says.
    sqlite(
        &s,
        "DELETE FROM keep; INSERT INTO keep SELECT * FROM audit_log WHERE seq = 2",
    );
    sqlite(&s, "DELETE FROM audit_log WHERE seq = 2");
    let (ok, out) = verify(&s, &[]);
    assert!(!ok && out.contains("expected record 2"), "{out}");
    sqlite(&s, "INSERT INTO audit_log SELECT * FROM keep");
    sqlite(&s, &format!("DELETE FROM audit_log WHERE seq = {n}"));
    let (ok, out) = verify(&s, &[]);
    assert!(ok, "{out}");
    let (ok, out) = verify(&s, &["--head", &head]);
    assert!(!ok && out.contains("no record has the head hash"), "{out}");
}
