//! What each target generates: which files, and the values (template context) of each.
//! The Rust side decides every value and every name; templates only lay them out.

use super::escape::{camel, comment, pascal, promql_str, unique_slugs};
use super::values::{effective, Effective};
use crate::flowchart::Decision;
use crate::model::types::{Language, Pattern, ServiceKind};
use crate::model::{InteractionDecl, Model};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};

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
    pub const ALL: [Target; 7] = [
        Target::Typescript,
        Target::Go,
        Target::Resilience4j,
        Target::Istio,
        Target::Kafka,
        Target::Rabbitmq,
        Target::Prometheus,
    ];

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
                v: effective(decl, pattern, declared.is_some()),
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

    fn slug_of(&self, service: &str) -> String {
        self.service_slugs
            .get(service)
            .cloned()
            .unwrap_or_else(|| super::escape::slug(service))
    }

    fn kind(&self, service: &str) -> ServiceKind {
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
    fn language(&self, service: &str) -> Option<Language> {
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
    fn dep(&self, r: &Resolved, uses: &[&str]) -> Value {
        let defaulted: Vec<&str> =
            r.v.defaulted
                .iter()
                .map(String::as_str)
                .filter(|d| {
                    let field = d.split(' ').next().unwrap_or(d);
                    uses.iter()
                        .any(|u| field == *u || field.starts_with(&format!("{u}.")))
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
    fn deps_of(&self, service: &str, sync_uses: &[&str]) -> (Vec<Value>, Vec<Value>) {
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

/// The `uses` fields each kind of file configures.
const PUBLISHER_USES: &[&str] = &[
    "channel",
    "batch",
    "compression",
    "compression_min_bytes",
    "ttl_ms",
    "dead_letter",
];
const TS_SYNC_USES: &[&str] = &[
    "timeout_ms",
    "retry",
    "circuit_breaker",
    "pool",
    "cache",
    "batch",
    "compression",
    "bulkhead",
];
const GO_SYNC_USES: &[&str] = &["timeout_ms", "retry", "circuit_breaker", "pool"];
const R4J_USES: &[&str] = &[
    "timeout_ms",
    "retry",
    "circuit_breaker",
    "bulkhead",
    "rate_limit",
];
const ISTIO_USES: &[&str] = &["timeout_ms", "retry", "circuit_breaker", "pool", "bulkhead"];
const RABBITMQ_USES: &[&str] = &[
    "channel",
    "dead_letter",
    "ttl_ms",
    "max_queue_length",
    "overflow",
];
const KAFKA_USES: &[&str] = &[
    "channel",
    "batch",
    "compression",
    "ttl_ms",
    "dead_letter",
    "consumers",
];

pub fn jobs(inputs: &Inputs, target: Target) -> Vec<Job> {
    match target {
        Target::Typescript => per_language(inputs, Language::Typescript, TS_SYNC_USES, |s| {
            (
                format!("typescript/{s}/clients.ts"),
                "typescript/clients.ts",
            )
        }),
        Target::Go => per_language(inputs, Language::Go, GO_SYNC_USES, |s| {
            (format!("go/{s}/clients.go"), "go/clients.go")
        }),
        Target::Resilience4j => resilience4j(inputs),
        Target::Istio => istio(inputs),
        Target::Kafka => kafka(inputs),
        Target::Rabbitmq => rabbitmq(inputs).into_iter().collect(),
        Target::Prometheus => prometheus(inputs),
    }
}

fn per_language(
    inputs: &Inputs,
    language: Language,
    sync_uses: &[&str],
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

fn resilience4j(inputs: &Inputs) -> Vec<Job> {
    let mut out = Vec::new();
    for name in inputs.model.services.keys() {
        if inputs.language(name) != Some(Language::Java) {
            continue;
        }
        let (sync, _) = inputs.deps_of(name, R4J_USES);
        if sync.is_empty() {
            continue;
        }
        // Instances are named after the called service, as `@CircuitBreaker(name = "inventory")`
        // reads; a second call to the same service gets the interaction's name instead.
        let mut seen: HashMap<String, usize> = HashMap::new();
        for d in &sync {
            *seen
                .entry(d["to_slug"].as_str().unwrap_or("").to_string())
                .or_default() += 1;
        }
        let instances: Vec<Value> = sync
            .into_iter()
            .map(|mut d| {
                let to = d["to_slug"].as_str().unwrap_or("").to_string();
                let instance = if seen[&to] > 1 {
                    d["id_slug"].as_str().unwrap_or("").to_string()
                } else {
                    to
                };
                d["instance"] = json!(instance);
                d
            })
            .collect();
        let rate_limited: Vec<Value> = instances
            .iter()
            .filter(|d| !d["v"]["rate_limit"].is_null())
            .cloned()
            .collect();
        let slug = inputs.slug_of(name);
        out.push(Job {
            path: format!("resilience4j/{slug}/application.yml"),
            template: "resilience4j/application.yml",
            context: json!({
                "system": inputs.system,
                "service": name,
                "service_slug": slug,
                "instances": instances,
                "rate_limited": rate_limited,
            }),
        });
    }
    out
}

/// Envoy's outlier detection counts consecutive 5xx, not a rate: eject after as many
/// consecutive failures as the breaker's rate would allow in its minimum window.
fn consecutive_errors(v: &Effective) -> u64 {
    ((v.circuit_breaker.min_calls as f64) * v.circuit_breaker.failure_rate_percent / 100.0)
        .round()
        .max(1.0) as u64
}

fn retry_on(r: &Resolved) -> &'static str {
    let grpc = r.v.protocol.eq_ignore_ascii_case("grpc");
    match (r.v.idempotent, grpc) {
        // Without idempotency only failures that never reached the server are safe.
        (false, _) => "connect-failure,refused-stream",
        (true, true) => "connect-failure,refused-stream,reset,unavailable,cancelled",
        (true, false) => "connect-failure,refused-stream,reset,gateway-error",
    }
}

fn istio(inputs: &Inputs) -> Vec<Job> {
    let mut by_target: BTreeMap<usize, (String, Vec<&Resolved>)> = BTreeMap::new();
    for r in &inputs.resolved {
        let i = &r.decl.interaction;
        if !r.pattern.has_sync_part()
            || inputs.kind(&i.to) == ServiceKind::External
            || matches!(
                inputs.kind(&i.from),
                ServiceKind::Client | ServiceKind::External
            )
        {
            continue;
        }
        let rank = inputs
            .model
            .services
            .get_index_of(&i.to)
            .unwrap_or(usize::MAX);
        by_target
            .entry(rank)
            .or_insert_with(|| (i.to.clone(), Vec::new()))
            .1
            .push(r);
    }
    let mut out = Vec::new();
    for (_, (to, calls)) in by_target {
        let slug = inputs.slug_of(&to);
        // One pool per destination: each caller's sidecar applies it on its own, so the
        // largest declared need wins; ejection follows the strictest breaker.
        let max_connections = calls.iter().map(|r| r.v.pool.max_connections).max();
        let max_pending = calls.iter().map(|r| r.v.bulkhead.max_queue.max(1)).max();
        let idle = calls.iter().map(|r| r.v.pool.idle_timeout_ms).max();
        let connect = calls.iter().map(|r| r.v.timeout_ms.min(1000)).min();
        let consecutive = calls.iter().map(|r| consecutive_errors(&r.v)).min();
        let ejection = calls.iter().map(|r| r.v.circuit_breaker.open_ms).max();
        let keep_alive = calls.iter().any(|r| r.v.pool.keep_alive);
        let routes: Vec<Value> = calls
            .iter()
            .map(|r| {
                let mut d = inputs.dep(r, ISTIO_USES);
                let attempts = r.v.retry.max_attempts as u64;
                d["retries"] = json!(attempts - 1);
                d["per_try_ms"] = json!(r.v.timeout_ms.div_ceil(attempts).max(1));
                d["retry_on"] = json!(retry_on(r));
                d
            })
            .collect();
        out.push(Job {
            path: format!("istio/{slug}.yaml"),
            template: "istio/mesh.yaml",
            context: json!({
                "system": inputs.system,
                "service": to,
                "host": slug,
                "max_connections": max_connections,
                "max_pending": max_pending,
                "idle_timeout_ms": idle,
                "connect_timeout_ms": connect,
                "keep_alive": keep_alive,
                "keep_alive_ms": super::values::seed::KEEP_ALIVE_MS,
                "consecutive_errors": consecutive,
                "ejection_ms": ejection,
                "default_timeout_ms": super::values::seed::TIMEOUT_MS,
                "routes": routes,
            }),
        });
    }
    out
}

fn uses_broker(r: &Resolved, pattern: Pattern, protocols: &[&str]) -> bool {
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

fn kafka(inputs: &Inputs) -> Vec<Job> {
    let mut out = Vec::new();
    for r in &inputs.resolved {
        if !uses_broker(r, Pattern::Stream, &["kafka"]) {
            continue;
        }
        let mut d = inputs.dep(r, KAFKA_USES);
        let payload = r
            .decl
            .interaction
            .traffic
            .as_ref()
            .and_then(|t| t.payload_bytes)
            .unwrap_or(1024);
        // Kafka batches by bytes: the declared batch in messages times the typical
        // message, kept within librdkafka's default message.max.bytes.
        let batch_bytes = (r.v.batch.max_size as u64 * payload).clamp(16_384, 1_000_000);
        let (codec, codec_note) = match r.v.compression {
            "br" => (
                "zstd",
                "brotli is not a Kafka codec; zstd compresses as well",
            ),
            c => (c, ""),
        };
        d["batch_bytes"] = json!(batch_bytes);
        d["codec"] = json!(codec);
        d["codec_note"] = json!(codec_note);
        d["payload_bytes"] = json!(payload);
        for (file, template) in [
            ("producer.properties", "kafka/producer.properties"),
            ("consumer.properties", "kafka/consumer.properties"),
        ] {
            out.push(Job {
                path: format!("kafka/{}/{file}", r.id_slug),
                template,
                context: json!({ "system": inputs.system, "i": d.clone() }),
            });
        }
    }
    out
}

fn rabbitmq(inputs: &Inputs) -> Option<Job> {
    let vhost = inputs.system_slug.clone();
    let dlx = format!("{}.dlx", inputs.system_slug);
    let mut exchanges: Vec<Value> = vec![json!({ "name": dlx, "type": "direct" })];
    let mut queues: Vec<Value> = Vec::new();
    let mut bindings: Vec<Value> = Vec::new();
    let mut seen_queues: Vec<String> = Vec::new();
    let mut defaulted: Vec<Value> = Vec::new();
    for r in &inputs.resolved {
        if !uses_broker(r, Pattern::Queue, &["amqp"]) {
            continue;
        }
        let i = &r.decl.interaction;
        let v = &r.v;
        let exchange = inputs.slug_of(&i.from);
        if !exchanges.iter().any(|e| e["name"] == exchange.as_str()) {
            exchanges.push(json!({ "name": exchange, "type": "topic" }));
        }
        if seen_queues.contains(&v.channel) {
            continue;
        }
        seen_queues.push(v.channel.clone());
        // Quorum queues: replicated, and the only kind that counts deliveries, which is
        // what moves a poison message to the DLQ after `after_attempts` tries. They
        // support drop-head and reject-publish only; the other overflow modes fall back
        // to reject-publish so that a full queue pushes back on producers.
        let overflow = match v.overflow {
            "drop-head" => "drop-head",
            _ => "reject-publish",
        };
        let mut adjusted = Vec::new();
        if overflow != v.overflow {
            adjusted.push(format!(
                "overflow {} is not available on quorum queues; reject-publish pushes back on producers instead",
                v.overflow
            ));
        }
        let mut args = vec![
            json!({ "name": "x-queue-type", "value": "quorum" }),
            json!({ "name": "x-delivery-limit", "value": v.dead_letter.after_attempts }),
            json!({ "name": "x-dead-letter-exchange", "value": dlx }),
            json!({ "name": "x-dead-letter-routing-key", "value": v.channel }),
            json!({ "name": "x-message-ttl", "value": v.ttl_ms }),
            json!({ "name": "x-max-length", "value": v.max_queue_length }),
            json!({ "name": "x-overflow", "value": overflow }),
        ];
        if v.ordered {
            args.push(json!({ "name": "x-single-active-consumer", "value": true }));
        }
        queues.push(json!({ "name": v.channel, "arguments": args, "interaction": i.id }));
        bindings.push(
            json!({ "source": exchange, "destination": v.channel, "routing_key": v.channel }),
        );
        if !seen_queues.contains(&v.dead_letter.channel) {
            seen_queues.push(v.dead_letter.channel.clone());
            queues.push(json!({
                "name": v.dead_letter.channel,
                "arguments": [json!({ "name": "x-queue-type", "value": "classic" })],
                "interaction": i.id,
            }));
        }
        bindings.push(json!({ "source": dlx, "destination": v.dead_letter.channel, "routing_key": v.channel }));
        let d = inputs.dep(r, RABBITMQ_USES);
        let listed: Vec<&str> = d["defaulted"]
            .as_str()
            .unwrap_or("")
            .split(", ")
            .filter(|s| !s.is_empty())
            .collect();
        defaulted.push(json!({ "interaction": i.id, "values": listed, "adjusted": adjusted }));
    }
    if queues.is_empty() {
        return None;
    }
    Some(Job {
        path: "rabbitmq/definitions.json".into(),
        template: "rabbitmq/definitions.json",
        context: json!({
            "system": inputs.system,
            "vhost": vhost,
            "exchanges": exchanges,
            "queues": queues,
            "bindings": bindings,
            "defaulted": defaulted,
        }),
    })
}

/// Prometheus evaluates `{{ }}` in alert labels and annotations as Go templates; a
/// name that contains `{{` must come out as text.
fn go_template_text(s: &str) -> String {
    s.replace("{{", "{{ \"{{\" }}")
}

fn selector(pairs: &[(&str, &str)]) -> String {
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", promql_str(v)))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

fn seconds(ms: f64) -> String {
    let s = ms / 1000.0;
    let mut t = format!("{s:.4}");
    while t.ends_with('0') {
        t.pop();
    }
    if t.ends_with('.') {
        t.pop();
    }
    t
}

fn prometheus(inputs: &Inputs) -> Vec<Job> {
    let mut groups = Vec::new();
    let mut firing_series = Vec::new();
    let mut healthy_series = Vec::new();
    let mut tests = Vec::new();
    for r in &inputs.resolved {
        let i = &r.decl.interaction;
        let v = &r.v;
        let base = pascal(&r.id_slug);
        let slo = inputs
            .model
            .service(&i.to)
            .and_then(|s| s.service.slo.clone());
        let mut defaulted: Vec<String> = Vec::new();
        // Page when the error budget burns ten times faster than the SLO allows; capped
        // so that a loose SLO still alerts on a mostly failing dependency.
        let error_ratio = match slo.as_ref().and_then(|s| s.availability) {
            Some(a) => ((100.0 - a) / 100.0 * 10.0).clamp(0.001, 0.25),
            None => {
                defaulted.push(
                    "error ratio threshold = 5% (no SLO availability on the callee)".to_string(),
                );
                0.05
            }
        };
        let error_ratio = (error_ratio * 10_000.0).round() / 10_000.0;
        let error_pct = (error_ratio * 1_000_000.0).round() / 10_000.0;
        let labels = [
            ("interaction".to_string(), go_template_text(&i.id)),
            ("from".to_string(), go_template_text(&i.from)),
            ("to".to_string(), go_template_text(&i.to)),
            ("pattern".to_string(), r.pattern.as_str().to_string()),
        ];
        let who = format!("{} -> {} ({})", i.from, i.to, i.id);
        let mut alerts: Vec<Value> = Vec::new();
        let mut add = |name: String,
                       expr: String,
                       for_: &str,
                       severity: &str,
                       summary: String,
                       description: String| {
            let mut l: Vec<Value> = vec![json!({ "k": "severity", "v": severity })];
            l.extend(labels.iter().map(|(k, v)| json!({ "k": k, "v": v })));
            alerts.push(json!({
                "name": name,
                "expr": expr,
                "for": for_,
                "labels": l,
                "summary": go_template_text(&summary),
                "summary_text": summary,
                "description": go_template_text(&description),
                "description_text": description,
            }));
        };
        if r.pattern.has_sync_part() {
            let sel = selector(&[("job", &i.from), ("service", &i.to)]);
            let err_sel = selector(&[("job", &i.from), ("service", &i.to), ("status", "5xx")])
                .replace("status=\"5xx\"", "status=~\"5..\"");
            let latency_ms = match slo.as_ref().and_then(|s| s.latency_p99_ms) {
                Some(l) if l > 0.0 => l,
                _ => {
                    defaulted.push(format!(
                        "p99 threshold = the {} ms timeout (no SLO latency on the callee)",
                        v.timeout_ms
                    ));
                    v.timeout_ms as f64
                }
            };
            let slo_s = seconds(latency_ms);
            add(
                format!("{base}HighErrorRate"),
                format!(
                    "sum(rate(http_requests_total{err_sel}[5m])) / sum(rate(http_requests_total{sel}[5m])) > {error_ratio}"
                ),
                "5m",
                "page",
                format!("{who}: more than {error_pct}% of calls fail"),
                "5xx responses over all requests, 5-minute rate; check the callee's health and recent deploys.".into(),
            );
            add(
                format!("{base}LatencyP99OverSlo"),
                format!(
                    "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{sel}[5m]))) > {slo_s}"
                ),
                "10m",
                "ticket",
                format!("{who}: p99 latency above {slo_s}s"),
                "The callee's p99 latency is over its objective; callers' timeouts and retries will follow.".into(),
            );
            add(
                format!("{base}CircuitOpen"),
                format!("max(circuit_breaker_state{sel}) == 1"),
                "1m",
                "page",
                format!("{who}: circuit breaker open"),
                "Calls fail fast while the circuit is open; the callee is failing or too slow."
                    .into(),
            );
            let bucket = |le: &str| {
                format!(
                    "http_request_duration_seconds_bucket{}",
                    selector(&[("job", &i.from), ("service", &i.to), ("le", le)])
                )
            };
            // Fixed bucket edges, far below and far above any sensible objective: the
            // series are shared by every interaction between the same two services.
            let low = "0.0001".to_string();
            let high = "3600".to_string();
            let req = |status: &str| {
                format!(
                    "http_requests_total{}",
                    selector(&[("job", &i.from), ("service", &i.to), ("status", status)])
                )
            };
            firing_series.extend([
                json!({ "series": req("200"), "values": "0+60x30" }),
                json!({ "series": req("503"), "values": "0+60x30" }),
                json!({ "series": bucket(&low), "values": "0x30" }),
                json!({ "series": bucket(&high), "values": "0+60x30" }),
                json!({ "series": bucket("+Inf"), "values": "0+60x30" }),
                json!({ "series": format!("circuit_breaker_state{sel}"), "values": "1x30" }),
            ]);
            healthy_series.extend([
                json!({ "series": req("200"), "values": "0+60x30" }),
                json!({ "series": req("503"), "values": "0x30" }),
                json!({ "series": bucket(&low), "values": "0+60x30" }),
                json!({ "series": bucket(&high), "values": "0+60x30" }),
                json!({ "series": bucket("+Inf"), "values": "0+60x30" }),
                json!({ "series": format!("circuit_breaker_state{sel}"), "values": "0x30" }),
            ]);
        }
        if matches!(r.pattern, Pattern::Queue | Pattern::Stream) {
            let q = selector(&[("queue", &v.channel)]);
            let dlq = selector(&[("queue", &v.dead_letter.channel)]);
            let failed = selector(&[("queue", &v.channel), ("status", "failed")]);
            let all = selector(&[("queue", &v.channel)]);
            add(
                format!("{base}ProcessingFailures"),
                format!(
                    "sum(rate(messages_processed_total{failed}[5m])) / sum(rate(messages_processed_total{all}[5m])) > {error_ratio}"
                ),
                "5m",
                "ticket",
                format!("{who}: more than {error_pct}% of messages fail"),
                "Failed over all processed messages, 5-minute rate; failures are retried and then dead-lettered.".into(),
            );
            add(
                format!("{base}QueueDepthGrowing"),
                format!("max(deriv(queue_depth{q}[10m])) > 0 and max(queue_depth{q}) > 100"),
                "15m",
                "ticket",
                format!("{who}: backlog of {} keeps growing", v.channel),
                "Consumers fall behind producers; scale consumers or find the slow step.".into(),
            );
            add(
                format!("{base}DeadLetters"),
                format!("max(queue_depth{dlq}) > 0"),
                "5m",
                "ticket",
                format!(
                    "{who}: dead-letter queue {} is not empty",
                    v.dead_letter.channel
                ),
                "Messages failed every delivery attempt; inspect them, fix the cause, then replay."
                    .into(),
            );
            let processed = |status: &str| {
                format!(
                    "messages_processed_total{}",
                    selector(&[("queue", &v.channel), ("status", status)])
                )
            };
            firing_series.extend([
                json!({ "series": processed("success"), "values": "0+60x30" }),
                json!({ "series": processed("failed"), "values": "0+60x30" }),
                json!({ "series": format!("queue_depth{q}"), "values": "0+50x30" }),
                json!({ "series": format!("queue_depth{dlq}"), "values": "3x30" }),
            ]);
            healthy_series.extend([
                json!({ "series": processed("success"), "values": "0+60x30" }),
                json!({ "series": processed("failed"), "values": "0x30" }),
                json!({ "series": format!("queue_depth{q}"), "values": "5x30" }),
                json!({ "series": format!("queue_depth{dlq}"), "values": "0x30" }),
            ]);
        }
        if alerts.is_empty() {
            continue;
        }
        for a in &alerts {
            tests.push(json!({
                "alertname": a["name"],
                "labels": a["labels"].as_array().map(|l| l.iter().map(|kv| {
                    // the expected labels are the rendered ones: the template escape undone
                    json!({ "k": kv["k"], "v": kv["v"].as_str().map(|s| s.replace("{{ \"{{\" }}", "{{")) })
                }).collect::<Vec<_>>()),
                "summary": a["summary_text"],
                "description": a["description_text"],
            }));
        }
        groups.push(json!({
            "name": format!("commsplan-{}", r.id_slug),
            "interaction": i.id,
            "from": i.from,
            "to": i.to,
            "summary": i.summary.clone().unwrap_or_default(),
            "alerts": alerts,
            "defaulted": defaulted.join("; "),
        }));
    }
    if groups.is_empty() {
        return Vec::new();
    }
    // Interactions that share a channel or a caller/callee pair share series too.
    for series in [&mut firing_series, &mut healthy_series] {
        let mut seen = std::collections::HashSet::new();
        series.retain(|s| seen.insert(s["series"].as_str().unwrap_or("").to_string()));
    }
    vec![
        Job {
            path: "prometheus/rules.yml".into(),
            template: "prometheus/rules.yml",
            context: json!({ "system": inputs.system, "groups": groups }),
        },
        Job {
            path: "prometheus/rules_test.yml".into(),
            template: "prometheus/rules_test.yml",
            context: json!({
                "system": inputs.system,
                "rule_file": "rules.yml",
                "firing": firing_series,
                "healthy": healthy_series,
                "tests": tests,
            }),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_template_delimiters_become_text() {
        assert_eq!(go_template_text("a {{ b }}"), "a {{ \"{{\" }} b }}");
    }

    #[test]
    fn selectors_escape_label_values() {
        assert_eq!(
            selector(&[("job", "a\"b"), ("service", "multi\nline")]),
            r#"{job="a\"b", service="multi\nline"}"#
        );
    }

    #[test]
    fn seconds_are_short() {
        assert_eq!(seconds(300.0), "0.3");
        assert_eq!(seconds(2000.0), "2");
        assert_eq!(seconds(75.0), "0.075");
    }
}
