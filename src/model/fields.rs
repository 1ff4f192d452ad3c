//! Paths to the fields that findings point at, relative to the interaction, service or
//! suppression they belong to. A path that names no field would silently point at its
//! parent, so paths are not written as strings where they are used: each is declared
//! here once, and a test resolves every one against the JSON Schema generated from the
//! types (`commsplan schema`).

/// What a path is relative to: a definition of the generated schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    Interaction,
    Service,
    Suppression,
}

impl Root {
    pub fn definition(self) -> &'static str {
        match self {
            Root::Interaction => "Interaction",
            Root::Service => "Service",
            Root::Suppression => "Suppression",
        }
    }
}

/// A field under a declaration, as a pointer relative to it: `uses/retry/jitter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    root: Option<Root>,
    path: &'static str,
}

impl Field {
    /// The declaration itself.
    pub const ITSELF: Field = Field {
        root: None,
        path: "",
    };

    /// The pointer relative to the declaration, `""` for the declaration itself.
    pub fn path(self) -> &'static str {
        self.path
    }

    /// What the path is relative to; `None` for [`Field::ITSELF`].
    pub fn root(self) -> Option<Root> {
        self.root
    }

    /// The field's own key, as the file spells it: `jitter` for `uses/retry/jitter`.
    pub fn key(self) -> &'static str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }
}

/// Declares the paths, and [`ALL`] listing them for the test.
macro_rules! fields {
    ($($root:ident { $($name:ident = $path:literal,)* })*) => {
        $($(pub const $name: Field = Field { root: Some(Root::$root), path: $path };)*)*

        /// Every path declared here.
        pub const ALL: &[Field] = &[$($($name,)*)*];
    };
}

fields! {
    Interaction {
        ID = "id",
        FROM = "from",
        TO = "to",
        IDEMPOTENT = "idempotent",
        EXPIRES = "expires",
        NEEDS_REALTIME = "needs/realtime",
        NEEDS_CONSISTENCY = "needs/consistency",
        NEEDS_CAN_WAIT = "needs/can_wait",
        NEEDS_ORDERING = "needs/ordering",
        TRAFFIC_CONSUMERS = "traffic/consumers",
        TRAFFIC_CALLS_PER_REQUEST = "traffic/calls_per_request",
        TRAFFIC_PER_ITEM = "traffic/per_item",
        OPERATION = "operation",
        OPERATION_ATOMICITY = "operation/atomicity",
        OPERATION_RELAY = "operation/relay",
        OPERATION_BASED_ON = "operation/based_on",
        OPERATION_CONCURRENCY = "operation/concurrency",
        COPY = "copy",
        COPY_OF = "copy/of",
        COPY_KEPT_BY = "copy/kept_by",
        USES_PATTERN = "uses/pattern",
        USES_CLIENT = "uses/client",
        USES_MESH = "uses/mesh",
        USES_BROKER = "uses/broker",
        USES_CHANNEL = "uses/channel",
        USES_TIMEOUT_MS = "uses/timeout_ms",
        USES_RETRY_MAX_ATTEMPTS = "uses/retry/max_attempts",
        USES_RETRY_BACKOFF = "uses/retry/backoff",
        USES_RETRY_JITTER = "uses/retry/jitter",
        USES_MESH_RETRY_MAX_ATTEMPTS = "uses/mesh_retry/max_attempts",
        USES_CIRCUIT_BREAKER = "uses/circuit_breaker",
        USES_CIRCUIT_BREAKER_FAILURE_RATE = "uses/circuit_breaker/failure_rate_percent",
        USES_CIRCUIT_BREAKER_MIN_CALLS = "uses/circuit_breaker/min_calls",
        USES_CIRCUIT_BREAKER_OPEN_MS = "uses/circuit_breaker/open_ms",
        USES_POOL = "uses/pool",
        USES_POOL_KEEP_ALIVE = "uses/pool/keep_alive",
        USES_POOL_MAX_CONNECTIONS = "uses/pool/max_connections",
        USES_CACHE = "uses/cache",
        USES_BATCH = "uses/batch",
        USES_COMPRESSION = "uses/compression",
        USES_COMPRESSION_MIN_BYTES = "uses/compression_min_bytes",
        USES_RATE_LIMIT = "uses/rate_limit",
        USES_BULKHEAD = "uses/bulkhead",
        USES_DEAD_LETTER = "uses/dead_letter",
        USES_TTL_MS = "uses/ttl_ms",
        USES_RETENTION = "uses/retention",
        USES_MAX_QUEUE_LENGTH = "uses/max_queue_length",
        USES_FIFO = "uses/fifo",
        USES_CONSUMERS = "uses/consumers",
        USES_CONSUMERS_MIN = "uses/consumers/min",
        USES_CONSUMERS_MAX = "uses/consumers/max",
        USES_IDEMPOTENCY = "uses/idempotency",
        USES_IDEMPOTENCY_RECORDED = "uses/idempotency/recorded",
        USES_ACK = "uses/ack",
        USES_PARTITION_KEY = "uses/partition_key",
        USES_METRICS = "uses/metrics",
        USES_FALLBACK = "uses/fallback",
    }
    Service {
        SLO_AVAILABILITY = "slo/availability",
        SLO_LATENCY_P99_MS = "slo/latency_p99_ms",
        CLIENT = "client",
        MESH = "mesh",
    }
    Suppression {
        RULE = "rule",
        UNTIL = "until",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The schema node a path leads to under `root`, following `$ref`s.
    fn resolve<'s>(schema: &'s Value, root: Root, path: &str) -> Option<&'s Value> {
        let defs = &schema["$defs"];
        let deref = |mut node: &'s Value| {
            while let Some(name) = node["$ref"].as_str() {
                node = &defs[name.strip_prefix("#/$defs/")?];
            }
            Some(node)
        };
        let mut node = deref(defs.get(root.definition())?)?;
        for key in path.split('/') {
            node = deref(node["properties"].get(key)?)?;
        }
        Some(node)
    }

    #[test]
    fn every_path_names_a_field_of_the_format() {
        let schema = crate::model::schema::json_schema();
        for field in ALL {
            let root = field.root().expect("declared paths have a root");
            assert!(
                resolve(schema, root, field.path()).is_some(),
                "`{}` is not a field of {}",
                field.path(),
                root.definition()
            );
        }
    }

    #[test]
    fn a_misspelt_path_does_not_resolve() {
        let schema = crate::model::schema::json_schema();
        assert!(resolve(
            schema,
            Root::Interaction,
            "uses/circuit_breaker/failure_rate"
        )
        .is_none());
        assert!(resolve(schema, Root::Service, "slo/latency_p99").is_none());
    }
}
