//! `kafka`: per stream interaction, producer and consumer settings that both
//! librdkafka and the Java client accept.

use super::{uses_broker, Inputs, Job};
use crate::generate::fields::{self, UsesPath};
use crate::generate::templates::templates;
use crate::model::types::Pattern;
use serde_json::json;

templates! {
    "kafka/producer.properties" => "per stream interaction: producer settings (librdkafka and Java client)",
    "kafka/consumer.properties" => "per stream interaction: consumer settings (librdkafka and Java client)",
}

const USES: &[UsesPath] = &[
    fields::CHANNEL,
    fields::BATCH,
    fields::COMPRESSION,
    fields::TTL_MS,
    fields::DEAD_LETTER,
    fields::CONSUMERS,
];

pub fn jobs(inputs: &Inputs) -> Vec<Job> {
    let mut out = Vec::new();
    for r in &inputs.resolved {
        if !uses_broker(r, Pattern::Stream, &["kafka"]) {
            continue;
        }
        let mut d = inputs.dep(r, USES);
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
