//! `go`: per Go service, a `net/http` Transport and Client per sync dependency and
//! publisher settings per async one.

use super::{per_language, Inputs, Job};
use crate::generate::fields::{self, UsesPath};
use crate::generate::templates::templates;
use crate::model::types::Language;

templates! {
    "go/clients.go" => "per Go service: net/http Transport and Client per sync dependency, publisher settings per async one",
}

/// The `uses` fields a sync dependency's client configures.
const SYNC_USES: &[UsesPath] = &[
    fields::TIMEOUT_MS,
    fields::RETRY,
    fields::CIRCUIT_BREAKER,
    fields::POOL,
];

pub fn jobs(inputs: &Inputs) -> Vec<Job> {
    per_language(inputs, Language::Go, SYNC_USES, |s| {
        (format!("go/{s}/clients.go"), "go/clients.go")
    })
}
