//! `typescript`: per TypeScript service, an `http.Agent`, axios and opossum per sync
//! dependency and a publisher per async one.

use super::{per_language, Inputs, Job};
use crate::generate::fields::{self, UsesPath};
use crate::generate::templates::templates;
use crate::model::types::Language;

templates! {
    "typescript/clients.ts" => "per TypeScript service: http.Agent + axios + opossum per sync dependency, a publisher per async one",
}

/// The `uses` fields a sync dependency's client configures.
const SYNC_USES: &[UsesPath] = &[
    fields::TIMEOUT_MS,
    fields::RETRY,
    fields::CIRCUIT_BREAKER,
    fields::POOL,
    fields::CACHE,
    fields::BATCH,
    fields::COMPRESSION,
    fields::BULKHEAD,
];

pub fn jobs(inputs: &Inputs) -> Vec<Job> {
    per_language(inputs, Language::Typescript, SYNC_USES, |s| {
        (
            format!("typescript/{s}/clients.ts"),
            "typescript/clients.ts",
        )
    })
}
