//! Running the `mikey` binary in the CLI tests (tests/cli_*.rs).
#![allow(dead_code)]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

/// Runs `mikey ARGS` with `stdin` (closed at once when `None`).
pub fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mikey"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    if let Some(data) = stdin {
        // The tool may stop reading early; ignore a broken pipe.
        let _ = pipe.write_all(data);
    }
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// Exit status, stdout and stderr of `mikey ARGS`.
pub fn mikey(args: &[&str]) -> (i32, String, String) {
    let out = run(args, None);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A usage error: exit status 2, nothing on stdout, and clap's report on stderr (an
/// `error:` line first, the `--help` hint last). Returns stderr.
pub fn usage_error(args: &[&str]) -> String {
    let (code, out, err) = mikey(args);
    assert_eq!(code, 2, "{args:?}: {err}");
    assert!(out.is_empty(), "{args:?}: {out}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(
        err.ends_with("For more information, try '--help'.\n"),
        "{args:?}: {err}"
    );
    err
}

/// The path of a stored test key (testvectors/keys/).
pub fn key(name: &str) -> String {
    format!("{}/testvectors/keys/{name}", env!("CARGO_MANIFEST_DIR"))
}
