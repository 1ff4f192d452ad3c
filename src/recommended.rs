//! The one table of recommended values. The rules' help text, `commsplan init`'s starter
//! file and the generator's defaults all read it, so that a user who follows a finding's
//! help and then generates gets the same numbers.
//!
//! Each value says where it comes from: the seed article ("16.7.2 통신 패턴 모범 사례",
//! mostly its "통신 패턴별 성능 최적화 전략" code and checklists), another tool's
//! documented default, or commsplan's own choice where neither gives a number. The seed
//! gives no number for retries, breaker thresholds, dead-lettering, TTLs, queue bounds or
//! consumer scaling: its checklists only name them.
//!
//! This module is at the ground floor: it imports nothing of the crate above
//! `model::types`, so that rules, commands and the generator can all use it.

use crate::model::types::Pattern;
use serde::Serialize;

/// A path below an interaction's `uses` (and the file's `defaults`), `.`-separated:
/// `retry.max_attempts`. Tests resolve every one used against the generated schema, so
/// a misspelt path fails a test instead of pointing at nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UsesPath(pub &'static str);

impl UsesPath {
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// Whether `field` (a path) is this one or below it.
    pub fn covers(self, field: &str) -> bool {
        field == self.0
            || field
                .strip_prefix(self.0)
                .is_some_and(|rest| rest.starts_with('.'))
    }

    /// The first segment: the `uses` field the path is under.
    pub fn head(self) -> &'static str {
        self.0.split('.').next().unwrap_or(self.0)
    }
}

/// Where a recommended value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The seed article, quoted.
    Seed(&'static str),
    /// Another tool's documented default or example.
    External(&'static str),
    /// No source gives a number; commsplan's choice, and why.
    Choice(&'static str),
}

/// A recommended value for one `uses` setting.
#[derive(Debug, Clone, Copy)]
pub struct Setting<T: 'static> {
    pub path: UsesPath,
    pub value: T,
    pub source: Source,
}

/// A recommended value the file format has no field for (the generator writes it as is).
#[derive(Debug, Clone, Copy)]
pub struct Fixed<T: 'static> {
    pub value: T,
    pub source: Source,
}

/// One row of the table, for documentation and for the tests that check each path.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: &'static str,
    pub path: Option<UsesPath>,
    pub value: serde_json::Value,
    pub source: Source,
}

/// The value as JSON; a whole `f64` becomes an integer, so that it reads `50` wherever
/// it is written, as Rust's `Display` writes it.
fn json<T: Serialize>(value: &T) -> serde_json::Value {
    let v = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
    match v.as_f64() {
        Some(f) if v.is_f64() && f.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&f) => {
            serde_json::Value::from(f as u64)
        }
        _ => v,
    }
}

/// Declares the settings and the list of all of them at once, so that none can be
/// missing from the list.
macro_rules! table {
    (
        settings { $($(#[$sm:meta])* $name:ident: $ty:ty = $value:expr, at $path:literal, $source:expr;)* }
        fixed { $($(#[$fm:meta])* $fname:ident: $fty:ty = $fvalue:expr, $fsource:expr;)* }
    ) => {
        $($(#[$sm])* pub const $name: Setting<$ty> = Setting {
            path: UsesPath($path),
            value: $value,
            source: $source,
        };)*
        $($(#[$fm])* pub const $fname: Fixed<$fty> = Fixed { value: $fvalue, source: $fsource };)*

        /// Every recommended value, in the order of the table.
        pub fn all() -> Vec<Entry> {
            vec![
                $(Entry { name: stringify!($name), path: Some($name.path), value: json(&$name.value), source: $name.source },)*
                $(Entry { name: stringify!($fname), path: None, value: json(&$fname.value), source: $fname.source },)*
            ]
        }
    };
}

use Source::{Choice, External, Seed};

const RETRY_CHECKLIST: Source = Seed("checklist: 재시도 정책 최적화 (지수 백오프 + 지터)");

table! {
    settings {
        /// The seed's only timeout; where the callee declares a p99, the timeout rule
        /// suggests 1.5 × p99 instead, which is the better number.
        TIMEOUT_MS: u64 = 5_000, at "timeout_ms", Seed("axios.create({ timeout: 5000 })");
        RETRY_MAX_ATTEMPTS: u32 = 3, at "retry.max_attempts",
            External("resilience4j Retry: maxAttempts defaults to 3");
        RETRY_BACKOFF: &'static str = "exponential", at "retry.backoff", RETRY_CHECKLIST;
        RETRY_BASE_MS: u64 = 100, at "retry.base_ms",
            External("gRFC A6 (client retries), example retryPolicy: initialBackoff 0.1s");
        /// Chosen over 2000: it is the gRPC example's, and ten times the base, which is
        /// what the retry rule suggests for any base.
        RETRY_MAX_MS: u64 = 1_000, at "retry.max_ms",
            External("gRFC A6 (client retries), example retryPolicy: maxBackoff 1s");
        RETRY_JITTER: bool = true, at "retry.jitter", RETRY_CHECKLIST;
        CB_FAILURE_RATE_PERCENT: f64 = 50.0, at "circuit_breaker.failure_rate_percent",
            External("opossum errorThresholdPercentage and resilience4j failureRateThreshold both default to 50");
        CB_MIN_CALLS: u32 = 20, at "circuit_breaker.min_calls",
            External("Hystrix circuitBreaker.requestVolumeThreshold defaults to 20");
        CB_OPEN_MS: u64 = 30_000, at "circuit_breaker.open_ms",
            External("opossum resetTimeout defaults to 30000 ms");
        CB_HALF_OPEN_CALLS: u32 = 5, at "circuit_breaker.half_open_calls",
            Choice("a few trial calls decide whether to close again without flooding a recovering callee");
        POOL_KEEP_ALIVE: bool = true, at "pool.keep_alive", Seed("new http.Agent({ keepAlive: true })");
        POOL_MAX_CONNECTIONS: u32 = 50, at "pool.max_connections",
            Seed("maxSockets: 50 // 서비스당 최대 동시 연결 수");
        POOL_MAX_IDLE: u32 = 10, at "pool.max_idle", Seed("maxFreeSockets: 10 // 재사용할 유휴 연결 수");
        POOL_IDLE_TIMEOUT_MS: u64 = 30_000, at "pool.idle_timeout_ms",
            Seed("freeSocketTimeout: 30000 // 유휴 연결 유지 시간");
        CACHE_TTL_MS: u64 = 300_000, at "cache.ttl_ms", Seed("new CacheItem(user, 300000) // 5분");
        BATCH_MAX_SIZE: u32 = 50, at "batch.max_size", Seed("this.chunk(ids, 50)");
        BATCH_MAX_WAIT_MS: u64 = 10, at "batch.max_wait_ms",
            Choice("the seed flushes on a ticker without a number; 10 ms adds no latency anyone notices");
        COMPRESSION: &'static str = "gzip", at "compression", Seed("data = gzip.Compress(data)");
        COMPRESSION_MIN_BYTES: u64 = 1_024, at "compression_min_bytes", Seed("if len(data) > 1024 { // 1KB 이상");
        BULKHEAD_MAX_CONCURRENT: u32 = 10, at "bulkhead.max_concurrent",
            Seed("new ThreadPoolExecutor(10, 20) // inventory-service");
        BULKHEAD_MAX_QUEUE: u32 = 20, at "bulkhead.max_queue",
            Seed("new ThreadPoolExecutor(10, 20) // inventory-service");
        /// Chosen over 3: AWS's advice covers queues and streams alike.
        DEAD_LETTER_AFTER_ATTEMPTS: u32 = 5, at "dead_letter.after_attempts",
            External("AWS Lambda with SQS: set the redrive policy's maxReceiveCount to at least 5");
        /// Chosen over seven days (Kafka's default log retention): a message that waited
        /// a day is stale for most work, and a log kept longer is a retention decision.
        TTL_MS: u64 = 86_400_000, at "ttl_ms",
            Choice("checklist: 메시지 TTL 설정, no number; one day");
        MAX_QUEUE_LENGTH: u64 = 10_000, at "max_queue_length",
            Choice("checklist: 적절한 큐 크기 설정, no number; ten thousand messages");
        OVERFLOW: &'static str = "reject-publish", at "overflow",
            Choice("a full queue pushes back on producers instead of dropping messages");
        CONSUMERS_MIN: u32 = 1, at "consumers.min", Choice("checklist: 컨슈머 스케일링 정책, no number; one consumer always runs");
        /// Chosen over 4 and 6: the same bound for queues and streams, matching the
        /// bulkhead's concurrency.
        CONSUMERS_MAX: u32 = 10, at "consumers.max",
            Choice("checklist: 컨슈머 스케일링 정책, no number; ten, as many as the bulkhead runs at once");
        SERIALIZATION: &'static str = "json", at "serialization", Seed("default: data, err = json.Marshal(event)");
        METRICS: bool = true, at "metrics", Seed("모니터링 및 관찰 가능성: 통신 패턴별 핵심 메트릭");
    }
    fixed {
        KEEP_ALIVE_MS: u64 = 30_000, Seed("keepAliveMsecs: 30000");
        SOCKET_TIMEOUT_MS: u64 = 60_000, Seed("timeout: 60000 // 소켓 타임아웃");
    }
}

/// A starter `uses` block for a pattern, as a one-line YAML mapping: the checklist of the
/// pattern with the recommended values. Names the user has to choose are in capitals.
pub fn uses_block(pattern: Pattern) -> String {
    let timeout = TIMEOUT_MS.value;
    let breaker = format!(
        "circuit_breaker: {{ failure_rate_percent: {}, min_calls: {}, open_ms: {} }}",
        CB_FAILURE_RATE_PERCENT.value, CB_MIN_CALLS.value, CB_OPEN_MS.value
    );
    let pool = format!(
        "pool: {{ keep_alive: {}, max_connections: {} }}",
        POOL_KEEP_ALIVE.value, POOL_MAX_CONNECTIONS.value
    );
    let consumers = consumers_block();
    let dead_letter = format!(
        "dead_letter: {{ after_attempts: {} }}",
        DEAD_LETTER_AFTER_ATTEMPTS.value
    );
    let metrics = format!("metrics: {}", METRICS.value);
    match pattern {
        Pattern::Sync => format!(
            "uses: {{ pattern: sync, protocol: grpc, timeout_ms: {timeout}, {}, {breaker}, {pool}, {metrics} }}",
            retry_block()
        ),
        Pattern::SyncOptimized => format!(
            "uses: {{ pattern: sync-optimized, protocol: rest, timeout_ms: {timeout}, cache: {{ ttl_ms: {} }}, {}, compression: {}, {pool}, {breaker}, {metrics} }}",
            CACHE_TTL_MS.value,
            batch_block(),
            COMPRESSION.value
        ),
        Pattern::Cqrs => format!(
            "uses: {{ pattern: cqrs, protocol: rest, timeout_ms: {timeout}, {pool}, {breaker}, {metrics} }}"
        ),
        Pattern::Queue => format!(
            "uses: {{ pattern: queue, protocol: amqp, channel: NAME, {dead_letter}, ttl_ms: {}, max_queue_length: {}, {consumers}, idempotency: {{ key: message_id }}, {metrics} }}",
            TTL_MS.value, MAX_QUEUE_LENGTH.value
        ),
        Pattern::Stream => format!(
            "uses: {{ pattern: stream, protocol: kafka, channel: NAME, partition_key: KEY, {}, compression: {}, {dead_letter}, ttl_ms: {}, {consumers}, idempotency: {{ key: event_id }}, {metrics} }}",
            batch_block(),
            COMPRESSION.value,
            TTL_MS.value
        ),
    }
}

/// `retry: { … }` with the recommended policy.
pub fn retry_block() -> String {
    format!(
        "retry: {{ max_attempts: {}, backoff: {}, base_ms: {}, max_ms: {}, jitter: {} }}",
        RETRY_MAX_ATTEMPTS.value,
        RETRY_BACKOFF.value,
        RETRY_BASE_MS.value,
        RETRY_MAX_MS.value,
        RETRY_JITTER.value
    )
}

/// `batch: { … }` with the recommended size and wait.
pub fn batch_block() -> String {
    format!(
        "batch: {{ max_size: {}, max_wait_ms: {} }}",
        BATCH_MAX_SIZE.value, BATCH_MAX_WAIT_MS.value
    )
}

/// `consumers: { … }` with the recommended scaling bounds.
pub fn consumers_block() -> String {
    format!(
        "consumers: {{ min: {}, max: {} }}",
        CONSUMERS_MIN.value, CONSUMERS_MAX.value
    )
}

/// `pool: { … }` with every recommended pool setting.
pub fn pool_block() -> String {
    format!(
        "pool: {{ keep_alive: {}, max_connections: {}, max_idle: {}, idle_timeout_ms: {} }}",
        POOL_KEEP_ALIVE.value,
        POOL_MAX_CONNECTIONS.value,
        POOL_MAX_IDLE.value,
        POOL_IDLE_TIMEOUT_MS.value
    )
}

/// The table as nested JSON, `{"retry": {"max_attempts": 3, …}, …}`: what a template
/// (init's starter file) reads the values from, by their `uses` paths.
pub fn as_uses_json() -> serde_json::Value {
    let mut root = serde_json::Map::new();
    for entry in all() {
        let Some(path) = entry.path else { continue };
        let mut node = &mut root;
        let mut segments = path.as_str().split('.').peekable();
        while let Some(seg) = segments.next() {
            if segments.peek().is_none() {
                node.insert(seg.to_string(), entry.value.clone());
                break;
            }
            let child = node
                .entry(seg.to_string())
                .or_insert_with(|| serde_json::Value::Object(Default::default()));
            let serde_json::Value::Object(map) = child else {
                break;
            };
            node = map;
        }
    }
    serde_json::Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_is_by_segment() {
        assert!(UsesPath("retry").covers("retry.max_ms"));
        assert!(UsesPath("retry").covers("retry"));
        assert!(!UsesPath("retry").covers("retry_budget"));
        assert!(!UsesPath("ttl").covers("ttl_ms"));
    }

    #[test]
    fn every_setting_has_a_unique_path_and_a_source() {
        let entries = all();
        let mut paths: Vec<&str> = entries
            .iter()
            .filter_map(|e| e.path.map(UsesPath::as_str))
            .collect();
        let n = paths.len();
        paths.sort();
        paths.dedup();
        assert_eq!(paths.len(), n, "a path is listed twice");
        for e in &entries {
            let text = match e.source {
                Source::Seed(t) | Source::External(t) | Source::Choice(t) => t,
            };
            assert!(!text.trim().is_empty(), "{} has no source", e.name);
        }
    }

    #[test]
    fn nested_json_reads_by_path() {
        let v = as_uses_json();
        assert_eq!(v["retry"]["max_ms"], RETRY_MAX_MS.value);
        assert_eq!(v["timeout_ms"], TIMEOUT_MS.value);
        assert_eq!(v["consumers"]["max"], CONSUMERS_MAX.value);
    }

    #[test]
    fn starter_blocks_carry_the_table() {
        let sync = uses_block(Pattern::Sync);
        assert!(sync.contains(&format!("timeout_ms: {}", TIMEOUT_MS.value)));
        assert!(sync.contains(&format!("max_ms: {}", RETRY_MAX_MS.value)));
        let queue = uses_block(Pattern::Queue);
        assert!(queue.contains(&consumers_block()), "{queue}");
    }
}
