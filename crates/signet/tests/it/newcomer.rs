//! The newcomer path as printed: `signet serve` on an empty data directory prints the commands
//! that enroll a claim-signing certificate, sign and verify an asset and register more
//! subscribers. They must run verbatim, from another directory, with no `signet` on PATH — here
//! the binary sits in a directory whose name has a space, and so does the data directory.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use crate::support::{bin, run};

/// Kills the server when the test ends.
struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `exe serve --data-dir DATA --listen 127.0.0.1:0` in `cwd`; returns the server and
/// what it printed before `listening on …`.
fn serve(exe: &Path, cwd: &Path, data: &str) -> (Serving, Vec<String>) {
    let mut child = Command::new(exe)
        .args(["serve", "--data-dir", data, "--listen", "127.0.0.1:0"])
        .current_dir(cwd)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Serving(child);
    let mut lines = BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    loop {
        let line = lines
            .next()
            .unwrap_or_else(|| panic!("server exited; printed {printed:#?}"))
            .unwrap();
        if line.starts_with("listening on ") {
            break;
        }
        printed.push(line);
    }
    std::thread::spawn(move || for _ in lines {});
    (server, printed)
}

/// The printed commands: the indented lines after the first blank line (the trust-file list
/// before it is indented too).
fn commands(printed: &[String]) -> Vec<String> {
    printed
        .iter()
        .skip_while(|l| !l.is_empty())
        .filter_map(|l| l.strip_prefix("  "))
        .map(str::to_owned)
        .collect()
}

#[test]
fn first_start_prints_commands_that_run_as_printed() {
    let tmp = tempfile::tempdir().unwrap();
    // The binary as a newcomer's checkout might hold it: not on PATH, in a path with a space.
    let bin_dir = tmp.path().join("my checkout/target/release");
    std::fs::create_dir_all(&bin_dir).unwrap();
    let exe = bin_dir.join("signet");
    if std::fs::hard_link(bin(), &exe).is_err() {
        std::fs::copy(bin(), &exe).unwrap();
    }
    let server_cwd = tmp.path().join("server");
    let user_cwd = tmp.path().join("elsewhere");
    std::fs::create_dir_all(&server_cwd).unwrap();
    std::fs::create_dir_all(&user_cwd).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/upstream/vectors/c2pa/rs/no_manifest.jpg"),
        user_cwd.join("photo.jpg"),
    )
    .unwrap();

    // A relative data directory, resolved against the server's cwd, not the user's.
    let (_server, printed) = serve(&exe, &server_cwd, "signet data");
    let commands = commands(&printed);
    let text = printed.join("\n");
    assert!(
        commands.iter().any(|c| c.starts_with("openssl cmp ")),
        "{text}"
    );
    for verb in ["c2pa sign", "c2pa verify", "ra register"] {
        assert!(
            commands.iter().any(|c| c.contains(verb)),
            "no `{verb}` command: {text}"
        );
    }
    for command in &commands {
        let (ok, out) = run(Command::new("timeout")
            .args(["60", "sh", "-c", command])
            .current_dir(&user_cwd)
            .env("PATH", "/usr/local/bin:/usr/bin:/bin"));
        assert!(ok, "`{command}` failed:\n{out}\nprinted:\n{text}");
        if command.contains("c2pa verify") {
            assert!(out.contains(": Trusted"), "{command}: {out}");
        }
        if command.contains("ra register") {
            assert!(out.contains("reference: "), "{command}: {out}");
        }
    }
    assert!(user_cwd.join("signer.pem").exists());
    assert!(user_cwd.join("signed.jpg").exists());
}
