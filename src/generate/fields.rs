//! Paths into the model that the generator reads or reports, beyond the recommended
//! settings (whose paths are in `crate::recommended`). A test resolves every one of
//! both against the generated JSON schema, so a misspelt path fails there.

pub use crate::recommended::UsesPath;

macro_rules! fields {
    ($($name:ident = $path:literal),* $(,)?) => {
        $(pub const $name: UsesPath = UsesPath($path);)*
        /// Every path declared here.
        pub const ALL: &[UsesPath] = &[$($name),*];
    };
}

fields! {
    PROTOCOL = "protocol",
    CHANNEL = "channel",
    TIMEOUT_MS = "timeout_ms",
    RETRY = "retry",
    CIRCUIT_BREAKER = "circuit_breaker",
    POOL = "pool",
    CACHE = "cache",
    BATCH = "batch",
    COMPRESSION = "compression",
    COMPRESSION_MIN_BYTES = "compression_min_bytes",
    RATE_LIMIT = "rate_limit",
    RATE_LIMIT_RPS = "rate_limit.rps",
    BULKHEAD = "bulkhead",
    DEAD_LETTER = "dead_letter",
    DEAD_LETTER_CHANNEL = "dead_letter.channel",
    TTL_MS = "ttl_ms",
    MAX_QUEUE_LENGTH = "max_queue_length",
    OVERFLOW = "overflow",
    CONSUMERS = "consumers",
    SERIALIZATION = "serialization",
    METRICS = "metrics",
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The schema node `path` names below `Uses`, following `$ref`s.
    fn resolve<'a>(schema: &'a Value, path: UsesPath) -> Option<&'a Value> {
        let defs = &schema["$defs"];
        let follow = |mut node: &'a Value| {
            while let Some(r) = node.get("$ref").and_then(Value::as_str) {
                node = &defs[r.strip_prefix("#/$defs/")?];
            }
            Some(node)
        };
        let mut node = follow(&defs["Uses"])?;
        for seg in path.as_str().split('.') {
            node = follow(node.get("properties")?.get(seg)?)?;
        }
        Some(node)
    }

    /// Whether `value` is of the schema node's type (integers for `integer`, a member for
    /// an `enum`).
    fn accepts(node: &Value, value: &Value) -> bool {
        if let Some(options) = node.get("enum").and_then(Value::as_array) {
            return options.contains(value);
        }
        match node.get("type").and_then(Value::as_str) {
            Some("integer") => value.is_u64(),
            Some("number") => value.is_number(),
            Some("boolean") => value.is_boolean(),
            Some("string") => value.is_string(),
            _ => false,
        }
    }

    #[test]
    fn every_path_names_a_field_of_the_schema() {
        let schema = crate::model::schema::json_schema();
        for path in ALL {
            assert!(
                resolve(schema, *path).is_some(),
                "{path:?} is not in the schema"
            );
        }
        let entries = crate::recommended::all();
        assert!(entries.len() > 20);
        for e in entries {
            let Some(path) = e.path else { continue };
            let node = resolve(schema, path)
                .unwrap_or_else(|| panic!("{}: {path:?} is not in the schema", e.name));
            assert!(
                accepts(node, &e.value),
                "{}: {} does not fit {path:?} ({node})",
                e.name,
                e.value
            );
        }
    }

    #[test]
    fn a_misspelt_path_does_not_resolve() {
        let schema = crate::model::schema::json_schema();
        assert!(resolve(schema, UsesPath("retry.max_attempt")).is_none());
        assert!(resolve(schema, UsesPath("retries")).is_none());
        assert!(resolve(schema, UsesPath("retry.max_attempts")).is_some());
    }
}
