//! Finds the system libsrtp2 (via the `pkg-config` program, if present).
//! Linking itself is declared with `#[link(name = "srtp2")]` in src/lib.rs.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if let Ok(out) = Command::new("pkg-config")
        .args(["--libs-only-L", "libsrtp2"])
        .output()
    {
        if out.status.success() {
            for flag in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                if let Some(dir) = flag.strip_prefix("-L") {
                    println!("cargo:rustc-link-search=native={dir}");
                }
            }
        } else {
            println!("cargo:warning=pkg-config did not find libsrtp2; install libsrtp2-dev");
        }
    }
}
