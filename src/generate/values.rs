//! The values each generated file is built from: what the interaction declares under
//! `uses` (file `defaults` already merged), and where it declares nothing, the seed's
//! recommended settings for its pattern. Each value taken from the recommendations is
//! recorded, so that every file can say which of its numbers nobody chose yet.

use crate::model::types::{Backoff, Compression, Overflow, Pattern, Serialization, Uses};
use crate::model::InteractionDecl;
use serde::Serialize;

/// The seed's recommended settings ("통신 패턴별 성능 최적화 전략" and the checklists).
pub mod seed {
    /// `http.Agent` keepAliveMsecs.
    pub const KEEP_ALIVE_MS: u64 = 30_000;
    /// `maxSockets`: concurrent connections per service.
    pub const MAX_CONNECTIONS: u32 = 50;
    /// `maxFreeSockets`: idle connections kept for reuse.
    pub const MAX_IDLE: u32 = 10;
    /// `freeSocketTimeout`: how long an idle connection is kept.
    pub const IDLE_TIMEOUT_MS: u64 = 30_000;
    /// Socket inactivity timeout.
    pub const SOCKET_TIMEOUT_MS: u64 = 60_000;
    /// axios request timeout.
    pub const TIMEOUT_MS: u64 = 5_000;
    /// Compress payloads of 1 KiB and more.
    pub const COMPRESSION_MIN_BYTES: u64 = 1024;
    /// Batch requests in chunks of 50.
    pub const BATCH_SIZE: u32 = 50;
    /// Flush a partial batch after this long.
    pub const BATCH_WAIT_MS: u64 = 10;
    /// Cache entries for five minutes.
    pub const CACHE_TTL_MS: u64 = 300_000;
    /// Retry: three attempts, exponential backoff with jitter.
    pub const RETRY_ATTEMPTS: u32 = 3;
    pub const RETRY_BASE_MS: u64 = 100;
    pub const RETRY_MAX_MS: u64 = 2_000;
    /// Circuit breaker: open at 50 % failures over at least 20 calls, for 30 s.
    pub const CB_FAILURE_RATE: f64 = 50.0;
    pub const CB_MIN_CALLS: u32 = 20;
    pub const CB_OPEN_MS: u64 = 30_000;
    pub const CB_HALF_OPEN_CALLS: u32 = 5;
    /// Bulkhead: the seed's thread pools hold 5 to 20 workers per dependency.
    pub const BULKHEAD_CONCURRENT: u32 = 10;
    pub const BULKHEAD_QUEUE: u32 = 20;
    /// Dead-letter after five failed deliveries; messages expire after a day.
    pub const DLQ_AFTER: u32 = 5;
    pub const TTL_MS: u64 = 86_400_000;
    /// A bounded queue ("적절한 큐 크기 설정").
    pub const MAX_QUEUE_LENGTH: u64 = 10_000;
    pub const CONSUMERS_MIN: u32 = 1;
    pub const CONSUMERS_MAX: u32 = 10;
}

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
struct Resolver {
    defaulted: Vec<String>,
}

impl Resolver {
    fn pick<T: std::fmt::Display>(&mut self, field: &str, declared: Option<T>, default: T) -> T {
        match declared {
            Some(v) => v,
            None => {
                self.defaulted.push(format!("{field} = {default}"));
                default
            }
        }
    }
}

/// The effective values of `decl` whose pattern is `pattern` (declared, else the
/// flowchart's recommendation).
pub fn effective(decl: &InteractionDecl, pattern: Pattern, declared: bool) -> Effective {
    let u: &Uses = decl.uses();
    let i = &decl.interaction;
    let mut r = Resolver {
        defaulted: Vec::new(),
    };
    let default_protocol = match pattern {
        Pattern::Queue => "amqp",
        Pattern::Stream => "kafka",
        _ => "rest",
    };
    let protocol = r.pick("protocol", u.protocol.clone(), default_protocol.to_string());
    let timeout_ms = r.pick("timeout_ms", u.timeout_ms, seed::TIMEOUT_MS);

    let ur = u.retry.clone().unwrap_or_default();
    let max_attempts = r
        .pick("retry.max_attempts", ur.max_attempts, seed::RETRY_ATTEMPTS)
        .max(1);
    // With a single attempt the backoff settings are never used: filling them in
    // would only report defaults that do not matter.
    let mut quiet = Resolver {
        defaulted: Vec::new(),
    };
    let rr = if max_attempts > 1 { &mut r } else { &mut quiet };
    let backoff = rr.pick("retry.backoff", ur.backoff.map(backoff_name), "exponential");
    let immediate = backoff == "none";
    let base_ms = rr.pick(
        "retry.base_ms",
        ur.base_ms,
        if immediate { 0 } else { seed::RETRY_BASE_MS },
    );
    let max_ms = rr
        .pick(
            "retry.max_ms",
            ur.max_ms,
            if immediate { 0 } else { seed::RETRY_MAX_MS },
        )
        .max(base_ms);
    let jitter = rr.pick("retry.jitter", ur.jitter, !immediate);

    let ucb = u.circuit_breaker.clone().unwrap_or_default();
    let failure_rate_percent = r
        .pick(
            "circuit_breaker.failure_rate_percent",
            ucb.failure_rate_percent,
            seed::CB_FAILURE_RATE,
        )
        .clamp(1.0, 100.0);
    let min_calls = r
        .pick(
            "circuit_breaker.min_calls",
            ucb.min_calls,
            seed::CB_MIN_CALLS,
        )
        .max(1);
    let open_ms = r.pick("circuit_breaker.open_ms", ucb.open_ms, seed::CB_OPEN_MS);
    let half_open_calls = r
        .pick(
            "circuit_breaker.half_open_calls",
            ucb.half_open_calls,
            seed::CB_HALF_OPEN_CALLS,
        )
        .max(1);

    let up = u.pool.clone().unwrap_or_default();
    let keep_alive = r.pick("pool.keep_alive", up.keep_alive, true);
    let max_connections = r
        .pick(
            "pool.max_connections",
            up.max_connections,
            seed::MAX_CONNECTIONS,
        )
        .max(1);
    let max_idle = r
        .pick(
            "pool.max_idle",
            up.max_idle,
            seed::MAX_IDLE.min(max_connections),
        )
        .min(max_connections);
    let idle_timeout_ms = r.pick(
        "pool.idle_timeout_ms",
        up.idle_timeout_ms,
        seed::IDLE_TIMEOUT_MS,
    );

    let caches = matches!(pattern, Pattern::SyncOptimized | Pattern::Cqrs);
    let cache_ttl_ms = match u.cache.as_ref().and_then(|c| c.ttl_ms) {
        Some(t) => Some(t),
        None if caches => Some(r.pick("cache.ttl_ms", None, seed::CACHE_TTL_MS)),
        None => None,
    };

    let ub = u.batch.clone().unwrap_or_default();
    let batch = Batch {
        max_size: r
            .pick("batch.max_size", ub.max_size, seed::BATCH_SIZE)
            .max(1),
        max_wait_ms: r.pick("batch.max_wait_ms", ub.max_wait_ms, seed::BATCH_WAIT_MS),
    };
    let compression = r.pick("compression", u.compression.map(compression_name), "gzip");
    let compression_min_bytes = r.pick(
        "compression_min_bytes",
        u.compression_min_bytes,
        seed::COMPRESSION_MIN_BYTES,
    );

    // A rate limit nobody declared is derived from the expected load (twice the peak,
    // so that the limiter only stops runaway callers); without either there is none.
    let rate_limit = match &u.rate_limit {
        Some(rl) if rl.rps.is_some() => Some(RateLimit {
            rps: rl.rps.unwrap_or(0.0).ceil().max(1.0) as u64,
            burst: rl.burst.unwrap_or(0),
        }),
        _ => match i.traffic.as_ref().and_then(|t| t.rps) {
            Some(rps) if rps > 0.0 => {
                let v = (rps * 2.0).ceil().max(1.0) as u64;
                r.defaulted
                    .push(format!("rate_limit.rps = {v} (twice traffic.rps)"));
                Some(RateLimit { rps: v, burst: 0 })
            }
            _ => None,
        },
    };

    let ubh = u.bulkhead.clone().unwrap_or_default();
    let bulkhead = Bulkhead {
        max_concurrent: r
            .pick(
                "bulkhead.max_concurrent",
                ubh.max_concurrent,
                seed::BULKHEAD_CONCURRENT,
            )
            .max(1),
        max_queue: r.pick("bulkhead.max_queue", ubh.max_queue, seed::BULKHEAD_QUEUE),
    };

    let default_channel = format!("{}.{}", i.to, i.id);
    let channel = r.pick("channel", u.channel.clone(), default_channel);
    let udl = u.dead_letter.clone().unwrap_or_default();
    let dead_letter = DeadLetter {
        after_attempts: r
            .pick(
                "dead_letter.after_attempts",
                udl.after_attempts,
                seed::DLQ_AFTER,
            )
            .max(1),
        channel: r.pick("dead_letter.channel", udl.channel, format!("{channel}.dlq")),
    };
    let ttl_ms = r.pick("ttl_ms", u.ttl_ms, seed::TTL_MS);
    let max_queue_length = r.pick(
        "max_queue_length",
        u.max_queue_length,
        seed::MAX_QUEUE_LENGTH,
    );
    let overflow = r.pick("overflow", u.overflow.map(overflow_name), "reject-publish");
    let uc = u.consumers.clone().unwrap_or_default();
    let consumers_min = r.pick("consumers.min", uc.min, seed::CONSUMERS_MIN);
    let consumers_max = r
        .pick(
            "consumers.max",
            uc.max,
            seed::CONSUMERS_MAX.max(consumers_min),
        )
        .max(consumers_min);
    let serialization = r.pick(
        "serialization",
        u.serialization.map(serialization_name),
        "json",
    );
    let metrics = r.pick("metrics", u.metrics, true);

    let ordered =
        u.fifo.unwrap_or(false) || i.needs.as_ref().and_then(|n| n.ordering).unwrap_or(false);

    // Only the fields that matter for the pattern are reported as defaulted: a stream
    // has no connection pool to tune, a sync call no dead-letter queue.
    let relevant = |field: &str| -> bool {
        let head = field.split(['.', ' ']).next().unwrap_or(field);
        let sync_fields = [
            "timeout_ms",
            "retry",
            "circuit_breaker",
            "pool",
            "cache",
            "rate_limit",
            "bulkhead",
        ];
        let async_fields = [
            "channel",
            "dead_letter",
            "ttl_ms",
            "max_queue_length",
            "overflow",
            "consumers",
            "batch",
        ];
        let common = [
            "protocol",
            "compression",
            "compression_min_bytes",
            "serialization",
            "metrics",
        ];
        common.contains(&head)
            || (pattern.has_sync_part() && sync_fields.contains(&head))
            || (pattern.has_async_part() && async_fields.contains(&head))
            || (pattern == Pattern::SyncOptimized && head == "batch")
    };
    let defaulted = r.defaulted.into_iter().filter(|f| relevant(f)).collect();

    Effective {
        pattern: pattern.as_str(),
        pattern_source: if declared { "declared" } else { "recommended" },
        protocol,
        timeout_ms,
        retry: Retry {
            max_attempts,
            retries: max_attempts - 1,
            backoff,
            exponential: backoff == "exponential",
            base_ms,
            max_ms,
            jitter,
        },
        circuit_breaker: Breaker {
            failure_rate_percent,
            min_calls,
            open_ms,
            half_open_calls,
        },
        pool: Pool {
            keep_alive,
            keep_alive_ms: seed::KEEP_ALIVE_MS,
            max_connections,
            max_idle,
            idle_timeout_ms,
            socket_timeout_ms: seed::SOCKET_TIMEOUT_MS,
        },
        cache_ttl_ms,
        batch,
        compression,
        compress: compression != "none",
        compression_min_bytes,
        rate_limit,
        bulkhead,
        channel,
        dead_letter,
        ttl_ms,
        max_queue_length,
        overflow,
        consumers_min,
        consumers_max,
        idempotent: i.idempotent.unwrap_or(false),
        idempotency_key: u.idempotency.as_ref().and_then(|k| k.key.clone()),
        partition_key: u.partition_key.clone(),
        ordered,
        serialization,
        metrics,
        defaulted,
    }
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
        let v = effective(&d, Pattern::Sync, false);
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
    fn declared_values_win_and_are_not_listed() {
        let d = decl(serde_json::json!({
            "id": "a-b", "from": "a", "to": "b",
            "uses": {"timeout_ms": 750, "pool": {"max_connections": 8},
                     "retry": {"max_attempts": 1}}
        }));
        let v = effective(&d, Pattern::SyncOptimized, true);
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
        let v = effective(&d, Pattern::Queue, false);
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
