//! Readers of the MIKEY-SAKKE known-answer files in `testvectors/` shared by the
//! `mcx_*` tests: the values come from the files, not from this crate.
#![allow(dead_code)]

use std::collections::HashMap;

/// The text of a file in testvectors/.
pub fn read(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testvectors")
            .join(name),
    )
    .unwrap()
}

/// `* Name : value` items of `text` (Streamwide md), in order.
pub fn md_items(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("* "))
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// Every `* Name : value` item of the Streamwide md, in order.
pub fn stw_items() -> Vec<(String, String)> {
    md_items(&read("streamwide-StreamwideTestVectors-v5.md"))
}

/// The first value of `key` in `items`.
pub fn get(items: &[(String, String)], key: &str) -> String {
    items.iter().find(|(n, _)| n == key).unwrap().1.clone()
}

/// The items of the Streamwide md section whose title starts with `title`.
pub fn stw_section(title: &str) -> HashMap<String, String> {
    let md = read("streamwide-StreamwideTestVectors-v5.md");
    let sec = md.split("### ").find(|s| s.starts_with(title)).unwrap();
    md_items(sec).into_iter().collect()
}

/// `name = value` lines of sw-alea-v3-keymaterial.txt (comments skipped).
pub fn alea() -> HashMap<String, String> {
    read("sw-alea-v3-keymaterial.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// A key id as written in the sources (a 7-digit value lost its leading zero).
pub fn key_id(s: &str) -> mikey::mcx::KeyId {
    mikey::mcx::KeyId::new(u32::from_str_radix(s, 16).unwrap())
}
