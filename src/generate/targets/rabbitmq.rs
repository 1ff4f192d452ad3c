//! `rabbitmq`: one definitions file for every queue interaction: exchanges, quorum
//! queues, dead-letter queues and bindings.

use super::{uses_broker, Inputs, Job};
use crate::generate::fields::{self, UsesPath};
use crate::generate::templates::templates;
use crate::model::types::Pattern;
use serde_json::{json, Value};

templates! {
    "rabbitmq/definitions.json" => "queue interactions: exchanges, queues, dead-letter queues and bindings",
}

const USES: &[UsesPath] = &[
    fields::CHANNEL,
    fields::DEAD_LETTER,
    fields::TTL_MS,
    fields::MAX_QUEUE_LENGTH,
    fields::OVERFLOW,
];

pub fn jobs(inputs: &Inputs) -> Vec<Job> {
    definitions(inputs).into_iter().collect()
}

fn definitions(inputs: &Inputs) -> Option<Job> {
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
        let d = inputs.dep(r, USES);
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
