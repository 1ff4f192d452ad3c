//! Stable identities for findings, so that code scanning and GitLab can tell a new
//! problem from one that was already reported. Built from what the finding is about (rule,
//! file, interaction, service, label), never from line numbers or message wording: adding
//! an interaction above another, or rewording a message, must not reopen every alert.

use super::paths::Paths;
use crate::analysis::Analysis;
use crate::finding::Finding;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// One lowercase hex SHA-256 per finding, in `analysis.findings` order, unique in the run.
pub fn fingerprints(analysis: &Analysis, paths: &Paths) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    analysis
        .findings
        .iter()
        .map(|finding| {
            let key = identity(finding, paths);
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            // Two findings with the same identity (a rule reporting twice in one
            // interaction) are told apart by their order in the file, as GitHub's own
            // line hashes are.
            let material = if *n == 1 {
                key
            } else {
                format!("{key}\u{0}#{n}")
            };
            hex(&Sha256::digest(material.as_bytes()))
        })
        .collect()
}

fn identity(finding: &Finding, paths: &Paths) -> String {
    let file = finding
        .location
        .as_ref()
        .map(|l| paths.display(&l.file))
        .unwrap_or_default();
    [
        "commsplan/v1",
        finding.code,
        &file,
        finding.interaction.as_deref().unwrap_or(""),
        finding.service.as_deref().unwrap_or(""),
        finding.label.as_deref().unwrap_or(""),
    ]
    .join("\u{0}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
