//! Baselines, so that a team can adopt commsplan on an existing system: record today's
//! findings (`--write-baseline FILE`), then report only new ones (`--baseline FILE`).
//!
//! An entry is keyed by the rule code, the interaction or service the finding is about,
//! and a fingerprint of the finding's content (its message) — never by line number, so
//! moving or reformatting the file does not invalidate it. When the content changes (a
//! timeout is edited, a chain grows) the finding is new. Entries that no longer match
//! anything are returned as fixed.

use crate::codes::is_input_code;
use crate::finding::{Finding, Suppressed};
use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interaction: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    pub fingerprint: String,
    /// For people reading the file; not part of the key.
    #[serde(default)]
    pub message: String,
}

impl Entry {
    fn key(&self) -> Key {
        (
            self.code.clone(),
            self.interaction.clone(),
            self.service.clone(),
            self.fingerprint.clone(),
        )
    }
}

type Key = (String, Option<String>, Option<String>, String);

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    entries: Vec<Entry>,
}

/// 64-bit FNV-1a: stable across Rust versions and platforms, unlike `DefaultHasher`.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.as_bytes().iter().chain(std::iter::once(&0xff)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

pub fn entry_of(f: &Finding) -> Entry {
    let interaction = f.interaction.clone();
    let service = f.service.clone();
    let fingerprint = format!(
        "{:016x}",
        fnv1a(&[
            f.code,
            interaction.as_deref().unwrap_or(""),
            service.as_deref().unwrap_or(""),
            &f.message,
        ])
    );
    Entry {
        code: f.code.to_string(),
        interaction,
        service,
        fingerprint,
        message: f.message.clone(),
    }
}

/// Findings that a baseline can hold: not suppressed otherwise, not a broken file.
pub fn baselinable(f: &Finding) -> bool {
    f.suppressed.is_none() && !is_input_code(f.code)
}

/// The baseline of `findings`, sorted so that the file is deterministic.
pub fn entries(findings: &[Finding]) -> Vec<Entry> {
    let mut out: Vec<Entry> = findings
        .iter()
        .filter(|f| baselinable(f))
        // A group is written as its members, so that a baseline matches per interaction.
        .flat_map(|f| f.members())
        .map(|m| entry_of(&m))
        .collect();
    out.sort();
    out
}

pub fn write(path: &Path, entries: &[Entry]) -> anyhow::Result<()> {
    let file = File {
        version: 1,
        entries: entries.to_vec(),
    };
    let mut text = serde_json::to_string_pretty(&file).expect("baseline serialises");
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// A baseline holds a few hundred bytes per finding: this is room for about a million.
pub const MAX_BASELINE_BYTES: u64 = 256 * 1024 * 1024;

pub fn read(path: &Path) -> anyhow::Result<Vec<Entry>> {
    let text = crate::source_io::read_text_capped(path, MAX_BASELINE_BYTES)
        .with_context(|| format!("cannot read baseline {}", path.display()))?;
    parse(path, &text)
}

/// Checks the text of a baseline file; `path` is only for messages.
pub fn parse(path: &Path, text: &str) -> anyhow::Result<Vec<Entry>> {
    let file: File = serde_json::from_str(text).with_context(|| {
        format!(
            "{} is not a commsplan baseline (write one with --write-baseline)",
            path.display()
        )
    })?;
    if file.version != 1 {
        anyhow::bail!(
            "{}: baseline version {} is not supported (only 1)",
            path.display(),
            file.version
        );
    }
    Ok(file.entries)
}

/// Marks the findings the baseline holds as suppressed and returns the entries that
/// matched nothing (fixed since the baseline was written). Each entry matches one
/// finding, so a second identical finding is new.
pub fn apply(findings: &mut [Finding], entries: &[Entry], name: &str) -> Vec<Entry> {
    let mut remaining: HashMap<Key, usize> = HashMap::new();
    for e in entries {
        *remaining.entry(e.key()).or_default() += 1;
    }
    for f in findings.iter_mut().filter(|f| baselinable(f)) {
        let e = entry_of(f);
        let Some(left) = remaining.get_mut(&e.key()) else {
            continue;
        };
        if *left == 0 {
            continue;
        }
        *left -= 1;
        f.suppressed = Some(Box::new(Suppressed {
            reason: format!("in baseline {name}"),
            by: None,
            until: None,
            location: None,
        }));
    }
    let mut fixed = Vec::new();
    for e in entries {
        let count = remaining
            .get_mut(&e.key())
            .expect("every entry was counted");
        if *count > 0 {
            *count -= 1;
            fixed.push(e.clone());
        }
    }
    fixed
}
