//! The numbers the rules judge against, with the rule that reads each; `commsplan.toml`
//! overrides them under `[thresholds]`.

use serde::{Deserialize, Serialize};

/// Every number a rule judges against. The defaults are the seed's figures where it
/// gives one (1 KiB for compression, exponential backoff with jitter) and common
/// production practice otherwise; each is documented with the rule that reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// S008: responses at least this large should be compressed (seed: 1 KiB).
    pub compression_min_bytes: u64,
    /// S007: a sync-optimized read at or above this rate needs a batch API.
    pub batch_min_rps: f64,
    /// S007: only payloads up to this size are worth batching.
    pub batch_max_payload_bytes: u64,
    /// S006: more attempts than this is an unbounded retry in practice.
    pub retry_max_attempts: u32,
    /// S005: sane circuit-breaker failure rate, percent (inclusive range).
    pub breaker_failure_rate_min: f64,
    pub breaker_failure_rate_max: f64,
    /// S005: fewer calls than this in the window and the breaker trips on noise.
    pub breaker_min_calls: u32,
    /// S005: an open state shorter than this hammers a callee that is still down.
    pub breaker_min_open_ms: u64,
    /// A005: message rate from which publishing should batch.
    pub message_batch_min_rps: f64,
    /// A006: messages at least this large should be compressed (seed: 1 KiB).
    pub message_compression_min_bytes: u64,
    /// R002: a service with at least this many sync dependencies needs bulkheads.
    pub bulkhead_min_dependencies: usize,
    /// G002: longest allowed chain of sync hops from an entry point.
    pub max_sync_depth: usize,
    /// G004: largest allowed product of attempts along a sync chain.
    pub max_retry_amplification: f64,
    /// C001: concurrent requests one HTTP/2 (gRPC) connection carries.
    pub streams_per_connection: u32,
    /// C003: a bounded queue must absorb at least this long a consumer outage.
    pub queue_outage_seconds: f64,
    /// G010: a synchronous call made this many times or more for one request needs a
    /// batch API.
    pub calls_per_request_min: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            compression_min_bytes: 1024,
            batch_min_rps: 100.0,
            batch_max_payload_bytes: 4096,
            retry_max_attempts: 5,
            breaker_failure_rate_min: 5.0,
            breaker_failure_rate_max: 80.0,
            breaker_min_calls: 5,
            breaker_min_open_ms: 1000,
            message_batch_min_rps: 200.0,
            message_compression_min_bytes: 1024,
            bulkhead_min_dependencies: 2,
            max_sync_depth: 4,
            max_retry_amplification: 10.0,
            streams_per_connection: 100,
            queue_outage_seconds: 60.0,
            calls_per_request_min: 5,
        }
    }
}
