//! What message brokers do when a queue or topic setting is not written: delivery,
//! dead-lettering, length bounds, ordering and retention, each as the documented
//! behaviour the A rules quote, with its source and the version it was read at. A
//! behaviour that could not be confirmed is left out (`None`): the rules then say only
//! what the file declares.

use super::Fact;
use crate::model::types::BrokerStack;

/// The documented defaults of one broker; each value is a sentence a message can quote
/// after the broker's name ("sqs: standard queues deliver at least once …").
#[derive(Debug, Clone, Copy)]
pub struct Broker {
    /// The name as the file spells it.
    pub name: &'static str,
    pub delivery: Option<Fact<&'static str>>,
    pub dead_letter: Option<Fact<&'static str>>,
    pub bound: Option<Fact<&'static str>>,
    pub ordering: Option<Fact<&'static str>>,
    pub retention: Option<Fact<&'static str>>,
}

const fn fact(
    value: &'static str,
    source: &'static str,
    version: &'static str,
) -> Option<Fact<&'static str>> {
    Some(Fact {
        value,
        source,
        version,
    })
}

const SQS_STANDARD: &str = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html (\"Standard queues ensure at-least-once message delivery … messages may occasionally arrive out of order\")";

/// The defaults of `broker`.
pub fn broker(broker: BrokerStack) -> Broker {
    match broker {
        BrokerStack::Rabbitmq => Broker {
            name: "rabbitmq",
            delivery: None,
            dead_letter: fact(
                "a message rejected with `requeue=false`, expired or dropped for length is dead-lettered only if the queue has a dead-letter exchange (policy `dead-letter-exchange` or `x-dead-letter-exchange`)",
                "https://www.rabbitmq.com/docs/dlx (What is a Dead Letter Exchange; How Dead Lettering is Configured)",
                "RabbitMQ 3.13",
            ),
            bound: fact(
                "a queue has no length limit unless `max-length` is set (policy, or `x-max-length`); once set, the oldest messages are dropped or dead-lettered by default",
                "https://www.rabbitmq.com/docs/maxlength (Overview; Default Max Queue Length Limit Behaviour)",
                "RabbitMQ 4.0",
            ),
            ordering: None,
            retention: None,
        },
        BrokerStack::Kafka => Broker {
            name: "kafka",
            delivery: None,
            dead_letter: None,
            bound: None,
            ordering: None,
            retention: fact(
                "topics delete messages after 7 days unless told otherwise (`log.retention.hours` = 168, `cleanup.policy` = delete)",
                "https://docs.cloudera.com/HDPDocuments/HDP3/HDP-3.0.0/installing-configuring-kafka/content/log_settings.html (log.retention.hours: \"The default value is 168 hours (seven days)\"); https://kafka.apache.org/24/generated/topic_config.html (cleanup.policy default delete)",
                "Apache Kafka 2.4 topic configs; HDP 3.0 broker settings",
            ),
        },
        BrokerStack::Sqs => Broker {
            name: "sqs",
            delivery: fact(
                "standard queues deliver at least once: more than one copy of a message may be delivered",
                SQS_STANDARD,
                "Amazon SQS Developer Guide, 2025",
            ),
            dead_letter: None,
            bound: None,
            ordering: fact(
                "standard queues keep order on a best-effort basis only: messages may arrive out of order",
                SQS_STANDARD,
                "Amazon SQS Developer Guide, 2025",
            ),
            retention: fact(
                "messages are deleted after 4 days (`MessageRetentionPeriod` 345600 s by default, at most 14 days)",
                "https://www.rubydoc.info/gems/aws-sdk-sqs/1.10.0/Aws/SQS/Resource (CreateQueue attributes: MessageRetentionPeriod \"Default: 345,600 (4 days)\")",
                "aws-sdk-sqs 1.10.0 (SQS API)",
            ),
        },
        BrokerStack::Nats => Broker {
            name: "nats",
            delivery: fact(
                "core NATS delivers at most once, only to subscribers connected at the moment of publication; JetStream adds at-least-once delivery",
                "https://docs.nats.io/nats-concepts/core-nats (\"Core NATS provides best-effort, at-most-once message delivery, JetStream introduces at-least-once\")",
                "NATS docs, 2.x",
            ),
            dead_letter: None,
            bound: None,
            ordering: None,
            retention: None,
        },
        BrokerStack::Eventbridge => Broker {
            name: "eventbridge",
            delivery: None,
            dead_letter: fact(
                "an event that cannot be delivered to a rule's target is retried for 24 hours and up to 185 times, then dropped unless the target has a dead-letter queue",
                "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html (\"By default, EventBridge retries sending the event for 24 hours and up to 185 times … the event is dropped\")",
                "Amazon EventBridge User Guide (rule targets), 2025",
            ),
            bound: None,
            ordering: None,
            retention: None,
        },
    }
}

/// Every broker, in the order docs/stacks.md lists them.
pub fn all() -> Vec<Broker> {
    [
        BrokerStack::Rabbitmq,
        BrokerStack::Kafka,
        BrokerStack::Sqs,
        BrokerStack::Nats,
        BrokerStack::Eventbridge,
    ]
    .into_iter()
    .map(broker)
    .collect()
}

impl Broker {
    /// Each documented setting by name, `None` where it is not known.
    pub fn rows(&self) -> [(&'static str, Option<Fact<&'static str>>); 5] {
        [
            ("delivery", self.delivery),
            ("dead-lettering", self.dead_letter),
            ("queue bound", self.bound),
            ("ordering", self.ordering),
            ("retention / TTL", self.retention),
        ]
    }
}

/// docs/stacks.md's broker tables.
pub fn reference() -> String {
    let mut out = String::new();
    for b in all() {
        out.push_str(&format!("### {}\n\n", b.name));
        out.push_str("| setting | default | source | version |\n|---|---|---|---|\n");
        for (name, row) in b.rows() {
            match row {
                Some(f) => out.push_str(&format!(
                    "| {name} | {} | {} | {} |\n",
                    f.value.replace('|', "\\|"),
                    f.source.replace('|', "\\|"),
                    f.version
                )),
                None => out.push_str(&format!("| {name} | not known | — | — |\n")),
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_broker_fact_is_cited_and_names_are_the_file_spelling() {
        for b in all() {
            let parsed: Result<BrokerStack, _> = serde_json::from_str(&format!("\"{}\"", b.name));
            assert!(parsed.is_ok(), "{} is not a broker name", b.name);
            for (_, f) in b.rows() {
                if let Some(f) = f {
                    assert!(f.source.starts_with("https://"), "{}: no source", b.name);
                    assert!(!f.version.trim().is_empty(), "{}: no version", b.name);
                }
            }
        }
    }
}
