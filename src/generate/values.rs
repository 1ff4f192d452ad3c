//! The values each generated file is built from: what the interaction declares under
//! `uses` (file `defaults` already merged), and where it declares nothing, the seed's
//! recommended settings for its pattern. Each value taken from the recommendations is
//! recorded, so that every file can say which of its numbers nobody chose yet.

use super::fields::{self, UsesPath};
use crate::model::types::{
    Backoff, Compression, Interaction, Overflow, Pattern, Serialization, Uses,
};
use crate::model::{InteractionDecl, Model};
use crate::recommended::{self as rec, Setting};
use crate::stacks::effective as eff;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Retry {
    /// Attempts in total, the first one included.
    pub max_attempts: u32,
    /// Retries after the first attempt.
    pub retries: u32,
    pub backoff: &'static str,
    pub exponential: bool,
    pub base_ms: u64,
    pub max_ms: u64,
    pub jitter: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Breaker {
    pub failure_rate_percent: f64,
    pub min_calls: u32,
    pub open_ms: u64,
    pub half_open_calls: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pool {
    pub keep_alive: bool,
    pub keep_alive_ms: u64,
    pub max_connections: u32,
    pub max_idle: u32,
    pub idle_timeout_ms: u64,
    pub socket_timeout_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Batch {
    pub max_size: u32,
    pub max_wait_ms: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RateLimit {
    /// Whole permits per second (resilience4j counts whole calls).
    pub rps: u64,
    pub burst: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bulkhead {
    pub max_concurrent: u32,
    pub max_queue: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeadLetter {
    pub after_attempts: u32,
    pub channel: String,
}

/// Everything a template may need about one interaction, after defaults.
#[derive(Debug, Clone, Serialize)]
pub struct Effective {
    pub pattern: &'static str,
    /// `declared` (under `uses`) or `recommended` (by the flowchart).
    pub pattern_source: &'static str,
    pub protocol: String,
    pub timeout_ms: u64,
    pub retry: Retry,
    /// Attempts the mesh's proxy makes per attempt of the caller, when known (a
    /// written `mesh_retry`, else the declared mesh's default): the `istio` target's.
    pub mesh_attempts: Option<u32>,
    pub circuit_breaker: Breaker,
    pub pool: Pool,
    /// Response cache TTL; only patterns that cache (sync-optimized, cqrs) get a default.
    pub cache_ttl_ms: Option<u64>,
    pub batch: Batch,
    /// Codec name as written (`none` when compression is off).
    pub compression: &'static str,
    pub compress: bool,
    pub compression_min_bytes: u64,
    pub rate_limit: Option<RateLimit>,
    pub bulkhead: Bulkhead,
    /// Queue or topic name.
    pub channel: String,
    pub dead_letter: DeadLetter,
    pub ttl_ms: u64,
    pub max_queue_length: u64,
    pub overflow: &'static str,
    pub consumers_min: u32,
    pub consumers_max: u32,
    pub idempotent: bool,
    pub idempotency_key: Option<String>,
    pub partition_key: Option<String>,
    pub ordered: bool,
    pub serialization: &'static str,
    pub metrics: bool,
    /// `uses` fields filled from the seed's recommendations, as `field = value`.
    pub defaulted: Vec<String>,
}

fn backoff_name(b: Backoff) -> &'static str {
    match b {
        Backoff::None => "none",
        Backoff::Fixed => "fixed",
        Backoff::Exponential => "exponential",
    }
}

pub fn compression_name(c: Compression) -> &'static str {
    match c {
        Compression::None => "none",
        Compression::Gzip => "gzip",
        Compression::Br => "br",
        Compression::Zstd => "zstd",
        Compression::Snappy => "snappy",
        Compression::Lz4 => "lz4",
    }
}

fn overflow_name(o: Overflow) -> &'static str {
    match o {
        Overflow::DropHead => "drop-head",
        Overflow::RejectPublish => "reject-publish",
        Overflow::RejectPublishDlx => "reject-publish-dlx",
        Overflow::Block => "block",
    }
}

fn serialization_name(s: Serialization) -> &'static str {
    match s {
        Serialization::Json => "json",
        Serialization::Protobuf => "protobuf",
        Serialization::Avro => "avro",
        Serialization::Msgpack => "msgpack",
    }
}

/// Collects the values taken from the recommendations while resolving.
#[derive(Default)]
struct Resolver {
    defaulted: Vec<String>,
}

impl Resolver {
    /// The declared value, else the recommended one (recorded as defaulted).
    fn pick<T: std::fmt::Display + Copy>(&mut self, setting: Setting<T>, declared: Option<T>) -> T {
        self.pick_at(setting.path, declared, setting.value)
    }

    /// The declared value, else `default` (recorded as defaulted under `path`).
    fn pick_at<T: std::fmt::Display>(
        &mut self,
        path: UsesPath,
        declared: Option<T>,
        default: T,
    ) -> T {
        match declared {
            Some(v) => v,
            None => {
                self.defaulted
                    .push(format!("{} = {default}", path.as_str()));
                default
            }
        }
    }
}

/// The effective values of `decl` whose pattern is `pattern` (declared, else the
/// flowchart's recommendation). Where the file writes nothing, the declared stacks'
/// documented defaults come first (as `explain` lists them), then the recommendations.
pub fn effective(
    model: &Model,
    decl: &InteractionDecl,
    pattern: Pattern,
    declared: bool,
) -> Effective {
    let u: &Uses = decl.uses();
    let i = &decl.interaction;
    let mut r = Resolver::default();
    let default_protocol = match pattern {
        Pattern::Queue => "amqp",
        Pattern::Stream => "kafka",
        _ => "rest",
    };
    let protocol = r.pick_at(
        fields::PROTOCOL,
        u.protocol.clone(),
        default_protocol.to_string(),
    );
    let stacks = eff::stacks(model, decl);
    let stack = stacks.client_stack();
    let timeout_ms = timeout(&mut r, model, decl, &stacks);
    let retry = retry(&mut r, u, eff::client_attempts(model, decl, &stacks));
    let mesh_attempts = eff::mesh_attempts(model, decl, &stacks).map(|l| l.count);
    let circuit_breaker = match (&u.circuit_breaker, stack.and_then(|s| s.breaker)) {
        (None, Some(f)) => stack_breaker(&mut r, stack.map_or("", |s| s.name), f.value),
        _ => breaker(&mut r, u),
    };
    let pool = pool(&mut r, u);
    let caches = matches!(pattern, Pattern::SyncOptimized | Pattern::Cqrs);
    let cache_ttl_ms = match u.cache.as_ref().and_then(|c| c.ttl_ms) {
        Some(t) => Some(t),
        None if caches => Some(r.pick(rec::CACHE_TTL_MS, None)),
        None => None,
    };
    let ub = u.batch.clone().unwrap_or_default();
    let batch = Batch {
        max_size: r.pick(rec::BATCH_MAX_SIZE, ub.max_size).max(1),
        max_wait_ms: r.pick(rec::BATCH_MAX_WAIT_MS, ub.max_wait_ms),
    };
    let compression = r.pick(rec::COMPRESSION, u.compression.map(compression_name));
    let compression_min_bytes = r.pick(rec::COMPRESSION_MIN_BYTES, u.compression_min_bytes);
    let rate_limit = rate_limit(&mut r, u, i);
    let ubh = u.bulkhead.clone().unwrap_or_default();
    let bulkhead = Bulkhead {
        max_concurrent: r
            .pick(rec::BULKHEAD_MAX_CONCURRENT, ubh.max_concurrent)
            .max(1),
        max_queue: r.pick(rec::BULKHEAD_MAX_QUEUE, ubh.max_queue),
    };
    let messaging = messaging(&mut r, u, i);
    let serialization = r.pick(rec::SERIALIZATION, u.serialization.map(serialization_name));
    let metrics = r.pick(rec::METRICS, u.metrics);
    let ordered =
        u.fifo.unwrap_or(false) || i.needs.as_ref().and_then(|n| n.ordering).unwrap_or(false);
    let defaulted = r
        .defaulted
        .into_iter()
        .filter(|f| relevant(pattern, f))
        .collect();

    Effective {
        pattern: pattern.as_str(),
        pattern_source: if declared { "declared" } else { "recommended" },
        protocol,
        timeout_ms,
        retry,
        mesh_attempts,
        circuit_breaker,
        pool,
        cache_ttl_ms,
        batch,
        compression,
        compress: compression != "none",
        compression_min_bytes,
        rate_limit,
        bulkhead,
        channel: messaging.channel,
        dead_letter: messaging.dead_letter,
        ttl_ms: messaging.ttl_ms,
        max_queue_length: messaging.max_queue_length,
        overflow: messaging.overflow,
        consumers_min: messaging.consumers_min,
        consumers_max: messaging.consumers_max,
        idempotent: i.idempotent.unwrap_or(false),
        idempotency_key: u.idempotency.as_ref().and_then(|k| k.key.clone()),
        partition_key: u.partition_key.clone(),
        ordered,
        serialization,
        metrics,
        defaulted,
    }
}

/// The written timeout, else a declared stack's bounded default (the rules accept it;
/// the file says so), else the recommended one.
fn timeout(r: &mut Resolver, model: &Model, decl: &InteractionDecl, stacks: &eff::Stacks) -> u64 {
    let written = decl.uses().timeout_ms;
    match (written, eff::timeout(model, decl, stacks)) {
        (None, Some((crate::stacks::Limit::Ms(ms, _), eff::Origin::Stack { stack, .. }))) => {
            r.defaulted.push(format!(
                "{} = {ms} ({stack} default)",
                rec::TIMEOUT_MS.path.as_str()
            ));
            ms
        }
        _ => r.pick(rec::TIMEOUT_MS, written),
    }
}

fn retry(r: &mut Resolver, u: &Uses, client: Option<eff::Layer>) -> Retry {
    let ur = u.retry.clone().unwrap_or_default();
    // The client's own default retries, where nothing is written: what it does anyway.
    let max_attempts = match (ur.max_attempts, client) {
        (
            None,
            Some(
                l @ eff::Layer {
                    origin: eff::Origin::Stack { .. },
                    // A library's resend after a connection failure is no retry policy
                    // a generated configuration could state.
                    replay: false,
                    ..
                },
            ),
        ) => {
            let name = match l.origin {
                eff::Origin::Stack { stack, .. } => stack,
                _ => "",
            };
            r.defaulted.push(format!(
                "{} = {} ({name} default)",
                rec::RETRY_MAX_ATTEMPTS.path.as_str(),
                l.count
            ));
            l.count
        }
        _ => r.pick(rec::RETRY_MAX_ATTEMPTS, ur.max_attempts),
    }
    .max(1);
    // With a single attempt the backoff settings are never used: filling them in
    // would only report defaults that do not matter.
    let mut quiet = Resolver::default();
    let rr = if max_attempts > 1 { r } else { &mut quiet };
    let backoff = rr.pick(rec::RETRY_BACKOFF, ur.backoff.map(backoff_name));
    let immediate = backoff == "none";
    let base_ms = rr.pick_at(
        rec::RETRY_BASE_MS.path,
        ur.base_ms,
        if immediate {
            0
        } else {
            rec::RETRY_BASE_MS.value
        },
    );
    let max_ms = rr
        .pick_at(
            rec::RETRY_MAX_MS.path,
            ur.max_ms,
            if immediate {
                0
            } else {
                rec::RETRY_MAX_MS.value
            },
        )
        .max(base_ms);
    let jitter = rr.pick_at(rec::RETRY_JITTER.path, ur.jitter, !immediate);
    Retry {
        max_attempts,
        retries: max_attempts - 1,
        backoff,
        exponential: backoff == "exponential",
        base_ms,
        max_ms,
        jitter,
    }
}

fn breaker(r: &mut Resolver, u: &Uses) -> Breaker {
    let ucb = u.circuit_breaker.clone().unwrap_or_default();
    Breaker {
        failure_rate_percent: r
            .pick(rec::CB_FAILURE_RATE_PERCENT, ucb.failure_rate_percent)
            .clamp(1.0, 100.0),
        min_calls: r.pick(rec::CB_MIN_CALLS, ucb.min_calls).max(1),
        open_ms: r.pick(rec::CB_OPEN_MS, ucb.open_ms),
        half_open_calls: r.pick(rec::CB_HALF_OPEN_CALLS, ucb.half_open_calls).max(1),
    }
}

/// A declared client's documented breaker, where the file writes none: the generated
/// configuration states the thresholds the client would use anyway.
fn stack_breaker(r: &mut Resolver, name: &str, b: crate::stacks::Breaker) -> Breaker {
    for (path, value) in [
        (
            rec::CB_FAILURE_RATE_PERCENT.path,
            b.failure_rate_percent.to_string(),
        ),
        (rec::CB_MIN_CALLS.path, b.min_calls.to_string()),
        (rec::CB_OPEN_MS.path, b.open_ms.to_string()),
    ] {
        r.defaulted
            .push(format!("{} = {value} ({name} default)", path.as_str()));
    }
    Breaker {
        failure_rate_percent: b.failure_rate_percent,
        min_calls: b.min_calls,
        open_ms: b.open_ms,
        half_open_calls: r.pick(rec::CB_HALF_OPEN_CALLS, None).max(1),
    }
}

fn pool(r: &mut Resolver, u: &Uses) -> Pool {
    let up = u.pool.clone().unwrap_or_default();
    let keep_alive = r.pick(rec::POOL_KEEP_ALIVE, up.keep_alive);
    let max_connections = r.pick(rec::POOL_MAX_CONNECTIONS, up.max_connections).max(1);
    let max_idle = r
        .pick_at(
            rec::POOL_MAX_IDLE.path,
            up.max_idle,
            rec::POOL_MAX_IDLE.value.min(max_connections),
        )
        .min(max_connections);
    let idle_timeout_ms = r.pick(rec::POOL_IDLE_TIMEOUT_MS, up.idle_timeout_ms);
    Pool {
        keep_alive,
        keep_alive_ms: rec::KEEP_ALIVE_MS.value,
        max_connections,
        max_idle,
        idle_timeout_ms,
        socket_timeout_ms: rec::SOCKET_TIMEOUT_MS.value,
    }
}

/// A rate limit nobody declared is derived from the expected load (twice the peak, so
/// that the limiter only stops runaway callers); without either there is none.
fn rate_limit(r: &mut Resolver, u: &Uses, i: &Interaction) -> Option<RateLimit> {
    match &u.rate_limit {
        Some(rl) if rl.rps.is_some() => Some(RateLimit {
            rps: rl.rps.unwrap_or(0.0).ceil().max(1.0) as u64,
            burst: rl.burst.unwrap_or(0),
        }),
        _ => match i.traffic.as_ref().and_then(|t| t.rps) {
            Some(rps) if rps > 0.0 => {
                let v = (rps * 2.0).ceil().max(1.0) as u64;
                r.defaulted.push(format!(
                    "{} = {v} (twice traffic.rps)",
                    fields::RATE_LIMIT_RPS.as_str()
                ));
                Some(RateLimit { rps: v, burst: 0 })
            }
            _ => None,
        },
    }
}

/// The settings of the asynchronous half: channel, dead-lettering, bounds, consumers.
struct Messaging {
    channel: String,
    dead_letter: DeadLetter,
    ttl_ms: u64,
    max_queue_length: u64,
    overflow: &'static str,
    consumers_min: u32,
    consumers_max: u32,
}

fn messaging(r: &mut Resolver, u: &Uses, i: &Interaction) -> Messaging {
    let default_channel = format!("{}.{}", i.to, i.id);
    let channel = r.pick_at(fields::CHANNEL, u.channel.clone(), default_channel);
    let udl = u.dead_letter.clone().unwrap_or_default();
    let dead_letter = DeadLetter {
        after_attempts: r
            .pick(rec::DEAD_LETTER_AFTER_ATTEMPTS, udl.after_attempts)
            .max(1),
        channel: r.pick_at(
            fields::DEAD_LETTER_CHANNEL,
            udl.channel,
            format!("{channel}.dlq"),
        ),
    };
    let ttl_ms = r.pick(rec::TTL_MS, u.ttl_ms);
    let max_queue_length = r.pick(rec::MAX_QUEUE_LENGTH, u.max_queue_length);
    let overflow = r.pick(rec::OVERFLOW, u.overflow.map(overflow_name));
    let uc = u.consumers.clone().unwrap_or_default();
    let consumers_min = r.pick(rec::CONSUMERS_MIN, uc.min);
    let consumers_max = r
        .pick_at(
            rec::CONSUMERS_MAX.path,
            uc.max,
            rec::CONSUMERS_MAX.value.max(consumers_min),
        )
        .max(consumers_min);
    Messaging {
        channel,
        dead_letter,
        ttl_ms,
        max_queue_length,
        overflow,
        consumers_min,
        consumers_max,
    }
}

/// The `uses` fields of a synchronous call, an asynchronous one, and of both.
const SYNC_FIELDS: &[UsesPath] = &[
    fields::TIMEOUT_MS,
    fields::RETRY,
    fields::CIRCUIT_BREAKER,
    fields::POOL,
    fields::CACHE,
    fields::RATE_LIMIT,
    fields::BULKHEAD,
];
const ASYNC_FIELDS: &[UsesPath] = &[
    fields::CHANNEL,
    fields::DEAD_LETTER,
    fields::TTL_MS,
    fields::MAX_QUEUE_LENGTH,
    fields::OVERFLOW,
    fields::CONSUMERS,
    fields::BATCH,
];
const COMMON_FIELDS: &[UsesPath] = &[
    fields::PROTOCOL,
    fields::COMPRESSION,
    fields::COMPRESSION_MIN_BYTES,
    fields::SERIALIZATION,
    fields::METRICS,
];

/// Only the fields that matter for the pattern are reported as defaulted: a stream has
/// no connection pool to tune, a sync call no dead-letter queue.
fn relevant(pattern: Pattern, field: &str) -> bool {
    let head = field.split(['.', ' ']).next().unwrap_or(field);
    let is_in = |list: &[UsesPath]| list.iter().any(|p| p.head() == head);
    is_in(COMMON_FIELDS)
        || (pattern.has_sync_part() && is_in(SYNC_FIELDS))
        || (pattern.has_async_part() && is_in(ASYNC_FIELDS))
        || (pattern == Pattern::SyncOptimized && head == fields::BATCH.head())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Origin;

    fn decl(json: serde_json::Value) -> InteractionDecl {
        InteractionDecl {
            interaction: serde_json::from_value(json).unwrap(),
            origin: Origin {
                file: 0,
                pointer: "/interactions/0".into(),
            },
            declares_uses: true,
        }
    }

    #[test]
    fn sync_without_uses_gets_the_seed_values_and_says_so() {
        let d = decl(serde_json::json!({"id": "a-b", "from": "a", "to": "b"}));
        let v = effective(&Model::default(), &d, Pattern::Sync, false);
        assert_eq!(v.timeout_ms, 5000);
        assert_eq!((v.pool.max_connections, v.pool.max_idle), (50, 10));
        assert_eq!(
            (v.pool.keep_alive_ms, v.pool.idle_timeout_ms),
            (30_000, 30_000)
        );
        assert_eq!(v.pool.socket_timeout_ms, 60_000);
        assert_eq!(
            (v.retry.max_attempts, v.retry.exponential, v.retry.jitter),
            (3, true, true)
        );
        assert_eq!(v.circuit_breaker.min_calls, 20);
        assert_eq!(v.cache_ttl_ms, None, "plain sync calls do not cache");
        assert_eq!(v.pattern_source, "recommended");
        assert!(v.defaulted.contains(&"timeout_ms = 5000".to_string()));
        assert!(v
            .defaulted
            .contains(&"pool.max_connections = 50".to_string()));
        // async-only fields are not reported for a sync call
        assert!(
            !v.defaulted.iter().any(|f| f.starts_with("dead_letter")),
            "{:?}",
            v.defaulted
        );
    }

    #[test]
    fn a_declared_client_supplies_its_documented_defaults() {
        let with = |client: &str| {
            effective(
                &Model::default(),
                &decl(serde_json::json!({
                    "id": "a-b", "from": "a", "to": "b",
                    "uses": {"client": client}
                })),
                Pattern::Sync,
                true,
            )
        };
        let r4j = with("resilience4j");
        assert_eq!(r4j.circuit_breaker.min_calls, 100);
        assert_eq!(r4j.circuit_breaker.open_ms, 60_000);
        assert!(r4j
            .defaulted
            .iter()
            .any(|d| d == "circuit_breaker.min_calls = 100 (resilience4j default)"));
        let okhttp = with("okhttp");
        assert_eq!(okhttp.timeout_ms, 10_000);
        assert!(okhttp
            .defaulted
            .iter()
            .any(|d| d == "timeout_ms = 10000 (okhttp default)"));
        // No timeout at all is not a value to copy: the recommendation fills it.
        assert_eq!(with("axios").timeout_ms, rec::TIMEOUT_MS.value);
        assert_eq!(
            with("axios").circuit_breaker.min_calls,
            rec::CB_MIN_CALLS.value
        );
    }

    #[test]
    fn stack_default_attempts_are_the_ones_explain_lists() {
        let d = decl(serde_json::json!({
            "id": "a-b", "from": "a", "to": "b",
            "uses": {"client": "polly-standard", "mesh": "istio"}
        }));
        let v = effective(&Model::default(), &d, Pattern::Sync, true);
        assert_eq!(v.retry.max_attempts, 4, "polly-standard retries 3 times");
        assert!(v
            .defaulted
            .iter()
            .any(|f| f == "retry.max_attempts = 4 (polly-standard default)"));
        assert_eq!(v.mesh_attempts, Some(3), "istio retries twice");
        let d = decl(serde_json::json!({
            "id": "a-b", "from": "a", "to": "b",
            "uses": {"mesh": "envoy", "mesh_retry": {"max_attempts": 2}}
        }));
        let v = effective(&Model::default(), &d, Pattern::Sync, true);
        assert_eq!(v.timeout_ms, 15_000, "envoy's route timeout");
        assert_eq!(v.mesh_attempts, Some(2), "written over envoy's default");
        assert_eq!(v.retry.max_attempts, rec::RETRY_MAX_ATTEMPTS.value);
    }

    #[test]
    fn declared_values_win_and_are_not_listed() {
        let d = decl(serde_json::json!({
            "id": "a-b", "from": "a", "to": "b",
            "uses": {"timeout_ms": 750, "pool": {"max_connections": 8},
                     "retry": {"max_attempts": 1}}
        }));
        let v = effective(&Model::default(), &d, Pattern::SyncOptimized, true);
        assert_eq!(v.timeout_ms, 750);
        assert_eq!(v.pool.max_connections, 8);
        assert_eq!(v.pool.max_idle, 8, "idle connections never exceed the pool");
        assert_eq!(v.cache_ttl_ms, Some(300_000));
        assert!(!v.defaulted.iter().any(|f| f.starts_with("timeout_ms")));
        // one attempt: backoff settings would never be used, so they are not reported
        assert!(
            !v.defaulted.iter().any(|f| f.starts_with("retry.")),
            "{:?}",
            v.defaulted
        );
    }

    #[test]
    fn queue_defaults() {
        let d = decl(serde_json::json!({
            "id": "notify", "from": "a", "to": "mailer",
            "needs": {"realtime": false, "ordering": true}
        }));
        let v = effective(&Model::default(), &d, Pattern::Queue, false);
        assert_eq!(v.channel, "mailer.notify");
        assert_eq!(v.dead_letter.channel, "mailer.notify.dlq");
        assert_eq!(v.dead_letter.after_attempts, 5);
        assert_eq!(v.ttl_ms, 86_400_000);
        assert!(v.ordered);
        assert_eq!(v.protocol, "amqp");
        assert!(v
            .defaulted
            .contains(&"dead_letter.after_attempts = 5".to_string()));
        assert!(!v.defaulted.iter().any(|f| f.starts_with("pool.")));
    }
}
