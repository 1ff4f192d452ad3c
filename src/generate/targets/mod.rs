//! What each target generates: which files, and the values (template context) of each.
//! The Rust side decides every value and every name; templates only lay them out.
//!
//! One module per target owns its templates, the `uses` fields its files configure and
//! its jobs; this module holds what they share: the resolved interactions and the
//! per-interaction template fields.

mod go;
mod istio;
mod kafka;
mod prometheus;
mod rabbitmq;
mod resilience4j;
mod typescript;

use super::escape::{camel, comment, pascal, unique_slugs};
use super::fields::{self, UsesPath};
use super::templates::Embedded;
use super::values::{effective, Effective};
use crate::flowchart::Decision;
use crate::model::types::{Language, Pattern, ServiceKind};
use crate::model::{InteractionDecl, Model};
use clap::ValueEnum as _;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The targets, in the order their files are planned and their templates listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Target {
    Typescript,
    Go,
    Resilience4j,
    Istio,
    Kafka,
    Rabbitmq,
    Prometheus,
}

impl Target {
    /// Every target, from the enum itself (declaration order).
    pub fn all() -> &'static [Target] {
        Target::value_variants()
    }

    /// The name on the command line, which is also the target's top folder under `--out`.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Typescript => "typescript",
            Target::Go => "go",
            Target::Resilience4j => "resilience4j",
            Target::Istio => "istio",
            Target::Kafka => "kafka",
            Target::Rabbitmq => "rabbitmq",
            Target::Prometheus => "prometheus",
        }
    }

    /// The built-in templates this target renders.
    pub fn templates(self) -> &'static [Embedded] {
        match self {
            Target::Typescript => typescript::TEMPLATES,
            Target::Go => go::TEMPLATES,
            Target::Resilience4j => resilience4j::TEMPLATES,
            Target::Istio => istio::TEMPLATES,
            Target::Kafka => kafka::TEMPLATES,
            Target::Rabbitmq => rabbitmq::TEMPLATES,
            Target::Prometheus => prometheus::TEMPLATES,
        }
    }

    /// Whether the target writes client code, which exists for some languages only.
    pub fn writes_client_code(self) -> bool {
        matches!(self, Target::Typescript | Target::Go | Target::Resilience4j)
    }

    pub fn jobs(self, inputs: &Inputs) -> Vec<Job> {
        match self {
            Target::Typescript => typescript::jobs(inputs),
            Target::Go => go::jobs(inputs),
            Target::Resilience4j => resilience4j::jobs(inputs),
            Target::Istio => istio::jobs(inputs),
            Target::Kafka => kafka::jobs(inputs),
            Target::Rabbitmq => rabbitmq::jobs(inputs),
            Target::Prometheus => prometheus::jobs(inputs),
        }
    }
}

/// Every built-in template, target by target.
pub fn embedded() -> impl Iterator<Item = &'static Embedded> {
    Target::all().iter().flat_map(|t| t.templates())
}

/// One file to produce: where (relative to `--out`, `/`-separated, built from slugs
/// only), with which template and which values.
pub struct Job {
    pub path: String,
    pub template: &'static str,
    pub context: Value,
}

/// An interaction with the values it is generated from.
pub struct Resolved<'m> {
    pub decl: &'m InteractionDecl,
    pub pattern: Pattern,
    pub v: Effective,
    pub id_slug: String,
}

pub struct Inputs<'m> {
    pub model: &'m Model,
    pub resolved: Vec<Resolved<'m>>,
    pub service_slugs: HashMap<String, String>,
    pub system: String,
    pub system_slug: String,
    /// Interactions left out, and why (printed to stderr, never silently dropped).
    pub notes: Vec<String>,
}

impl<'m> Inputs<'m> {
    pub fn new(model: &'m Model, decisions: &[Decision]) -> Inputs<'m> {
        let service_slugs: HashMap<String, String> =
            unique_slugs(model.services.keys().map(String::as_str))
                .into_iter()
                .collect();
        let id_slugs: Vec<(String, String)> =
            unique_slugs(model.interactions.iter().map(|i| i.id()));
        let mut notes = Vec::new();
        let mut resolved = Vec::new();
        for (n, decl) in model.interactions.iter().enumerate() {
            let declared = decl.uses().pattern;
            let recommended = decisions.get(n).and_then(|d| d.recommended);
            let Some(pattern) = declared.or(recommended) else {
                notes.push(format!(
                    "{}: skipped; it declares no `uses.pattern` and its `needs` do not decide one",
                    comment(decl.id())
                ));
                continue;
            };
            if model.service(&decl.interaction.from).is_none()
                || model.service(&decl.interaction.to).is_none()
            {
                notes.push(format!(
                    "{}: skipped; `from` or `to` names no declared service",
                    comment(decl.id())
                ));
                continue;
            }
            resolved.push(Resolved {
                decl,
                pattern,
                v: effective(model, decl, pattern, declared.is_some()),
                id_slug: id_slugs[n].1.clone(),
            });
        }
        let system = model.system.clone().unwrap_or_else(|| "system".into());
        let system_slug = super::escape::slug(&system);
        Inputs {
            model,
            resolved,
            service_slugs,
            system,
            system_slug,
            notes,
        }
    }

    pub(super) fn slug_of(&self, service: &str) -> String {
        self.service_slugs
            .get(service)
            .cloned()
            .unwrap_or_else(|| super::escape::slug(service))
    }

    pub(super) fn kind(&self, service: &str) -> ServiceKind {
        self.model
            .service(service)
            .and_then(|s| s.service.kind)
            .unwrap_or(ServiceKind::Service)
    }

    /// Services that call others but whose language no code target covers yet.
    pub fn uncovered_services(&self) -> Vec<String> {
        let mut out = Vec::new();
        for name in self.model.services.keys() {
            let lang = match self.language(name) {
                Some(Language::Python) => "python",
                Some(Language::Rust) => "rust",
                _ => continue,
            };
            let calls = self
                .resolved
                .iter()
                .any(|r| r.decl.interaction.from == *name);
            if calls {
                out.push(format!(
                    "{} ({lang}): no client code target for {lang} yet; its mesh, broker and alert files are generated",
                    comment(name)
                ));
            }
        }
        out
    }

    /// The language of a service we build code for: clients (browsers, apps) manage
    /// their own connections and external systems are not ours to configure.
    pub(super) fn language(&self, service: &str) -> Option<Language> {
        if matches!(
            self.kind(service),
            ServiceKind::Client | ServiceKind::External
        ) {
            return None;
        }
        self.model.service(service).and_then(|s| s.service.language)
    }

    /// The fields every template gets for one interaction. `uses` lists the fields the
    /// file configures: only those of its defaulted values are worth reporting there.
    pub(super) fn dep(&self, r: &Resolved, uses: &[UsesPath]) -> Value {
        let defaulted: Vec<&str> =
            r.v.defaulted
                .iter()
                .map(String::as_str)
                .filter(|d| {
                    let field = d.split(' ').next().unwrap_or(d);
                    uses.iter().any(|u| u.covers(field))
                })
                .collect();
        let i = &r.decl.interaction;
        let to_slug = self.slug_of(&i.to);
        json!({
            "id": i.id,
            "id_slug": r.id_slug,
            "ident": camel(&r.id_slug),
            "Ident": pascal(&r.id_slug),
            "from": i.from,
            "to": i.to,
            "from_slug": self.slug_of(&i.from),
            "to_slug": to_slug,
            "summary": i.summary.clone().unwrap_or_default(),
            "pattern": r.pattern.as_str(),
            "v": r.v,
            "defaulted": defaulted.join(", "),
            "url_env": format!("{}_URL", to_slug.to_ascii_uppercase().replace('-', "_")),
            "default_url": format!("http://{to_slug}"),
        })
    }

    /// Outgoing interactions of `service` split into sync and async dependencies.
    pub(super) fn deps_of(
        &self,
        service: &str,
        sync_uses: &[UsesPath],
    ) -> (Vec<Value>, Vec<Value>) {
        let mut sync = Vec::new();
        let mut asynchronous = Vec::new();
        for r in self
            .resolved
            .iter()
            .filter(|r| r.decl.interaction.from == service)
        {
            if r.pattern.has_sync_part() {
                sync.push(self.dep(r, sync_uses));
            }
            if matches!(r.pattern, Pattern::Queue | Pattern::Stream) {
                asynchronous.push(self.dep(r, PUBLISHER_USES));
            }
        }
        (sync, asynchronous)
    }
}

/// The `uses` fields a publisher's settings configure (every code target has them).
const PUBLISHER_USES: &[UsesPath] = &[
    fields::CHANNEL,
    fields::BATCH,
    fields::COMPRESSION,
    fields::COMPRESSION_MIN_BYTES,
    fields::TTL_MS,
    fields::DEAD_LETTER,
];

/// One code file per service of `language` that calls anything: its sync dependencies
/// (configured by `sync_uses`) and its async ones.
fn per_language(
    inputs: &Inputs,
    language: Language,
    sync_uses: &[UsesPath],
    place: impl Fn(&str) -> (String, &'static str),
) -> Vec<Job> {
    let mut out = Vec::new();
    for name in inputs.model.services.keys() {
        if inputs.language(name) != Some(language) {
            continue;
        }
        let (sync, asynchronous) = inputs.deps_of(name, sync_uses);
        if sync.is_empty() && asynchronous.is_empty() {
            continue;
        }
        let slug = inputs.slug_of(name);
        let (path, template) = place(&slug);
        out.push(Job {
            path,
            template,
            context: json!({
                "system": inputs.system,
                "service": name,
                "service_slug": slug,
                "sync": sync,
                "async": asynchronous,
            }),
        });
    }
    out
}

/// Whether `r` is a `pattern` interaction on a broker of this target's family (one of
/// `protocols`, or a protocol of no known family).
pub(super) fn uses_broker(r: &Resolved, pattern: Pattern, protocols: &[&str]) -> bool {
    r.pattern == pattern && {
        let p = r.v.protocol.to_ascii_lowercase();
        // a protocol of another broker family (sqs, eventbridge, nats) is not ours to configure
        ![
            "kafka",
            "amqp",
            "sqs",
            "eventbridge",
            "nats",
            "sns",
            "pubsub",
        ]
        .contains(&p.as_str())
            || protocols.contains(&p.as_str())
    }
}
