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
    /// What `delivery` states: the broker may deliver a message again even to a consumer
    /// that acknowledged it (so acknowledging before processing does not rule out a
    /// second delivery).
    pub copies_after_ack: bool,
    /// What `dead_letter` states: the dead-lettering the broker does with no setting, for
    /// consumers that acknowledge after processing (a failure is redelivered, counted, and
    /// after the limit moved aside).
    pub default_dead_letter: Option<DefaultDeadLetter>,
}

/// A broker's dead-lettering when nothing is configured.
#[derive(Debug, Clone, Copy)]
pub struct DefaultDeadLetter {
    /// Redeliveries before the message is moved to the dead-letter queue.
    pub after_redeliveries: u32,
    /// The dead-letter queue.
    pub channel: &'static str,
    /// The `uses.protocol` values whose consumers the limit applies to (where it is kept
    /// by the client library, consumers of other protocols are redelivered without one).
    pub protocols: &'static [&'static str],
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
            copies_after_ack: false,
            default_dead_letter: None,
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
            copies_after_ack: false,
            default_dead_letter: None,
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
            copies_after_ack: true,
            default_dead_letter: None,
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
            copies_after_ack: false,
            default_dead_letter: None,
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
            copies_after_ack: false,
            default_dead_letter: None,
        },
        BrokerStack::Activemq => Broker {
            name: "activemq",
            delivery: fact(
                "a message that is not acknowledged is delivered again (a transacted session rolled back or closed before commit, `Session.recover()` under CLIENT_ACKNOWLEDGE, a connection that closes or times out first): at least once for a consumer that acknowledges after processing, at most once for one that acknowledges before",
                "https://activemq.apache.org/message-redelivery-and-dlq-handling (Overview: \"Messages are redelivered to a client when any of the following occurs\")",
                "ActiveMQ Classic 6.1",
            ),
            dead_letter: fact(
                "a JMS (OpenWire) consumer that rolls back or recovers a message gets it again up to 6 times (RedeliveryPolicy `maximumRedeliveries` = 6), then the broker moves it to the one shared queue `ActiveMQ.DLQ`; the limit is kept by the JMS client, so a consumer over STOMP, AMQP or MQTT is redelivered a failing message without end unless the broker's `redeliveryPlugin` is configured",
                "https://activemq.apache.org/redelivery-policy (maximumRedeliveries default 6) and https://activemq.apache.org/message-redelivery-and-dlq-handling (\"a Poison ACK is sent back to the broker … The default Dead Letter Queue in ActiveMQ Classic is called ActiveMQ.DLQ\"); source at https://github.com/apache/activemq/tree/activemq-6.1.3: activemq-client/src/main/java/org/apache/activemq/RedeliveryPolicy.java (DEFAULT_MAXIMUM_REDELIVERIES = 6), enforced in activemq-client ActiveMQMessageConsumer and, on the broker, only by activemq-broker/src/main/java/org/apache/activemq/broker/util/RedeliveryPlugin.java (a plugin not installed by default); activemq-broker/src/main/java/org/apache/activemq/broker/region/policy/SharedDeadLetterStrategy.java (DEFAULT_DEAD_LETTER_QUEUE_NAME = \"ActiveMQ.DLQ\")",
                "ActiveMQ Classic 6.1.3",
            ),
            bound: fact(
                "a queue has no length limit of its own; when the broker's store limit (`systemUsage` storeUsage, 100 GB unless set, at most the disk's free space) or memory limit (1 GB) is reached, producer flow control blocks the producers until space frees (`sendFailIfNoSpace` is false): the limit is shared by every queue on the broker, so one stalled consumer blocks the producers of all of them",
                "https://activemq.apache.org/producer-flow-control (\"the default <systemUsage> settings will cause the producer to block when the memoryLimit or <systemUsage> limits are reached\"); source at https://github.com/apache/activemq/tree/activemq-6.1.3: activemq-broker/src/main/java/org/apache/activemq/broker/BrokerService.java (getSystemUsage: memory 1 GB, store 100 GB; checkUsageLimit lowers the store limit to the usable disk space), activemq-broker/src/main/java/org/apache/activemq/broker/region/Queue.java (checkUsage: \"Persistent store is Full … Stopping producer\", waitForSpace), BaseDestination.java (producerFlowControl = true)",
                "ActiveMQ Classic 6.1.3",
            ),
            ordering: None,
            retention: fact(
                "messages do not expire unless the producer sets a time-to-live (JMSExpiration); an expired persistent message is moved to `ActiveMQ.DLQ` (the dead-letter strategy's `processExpired` is true)",
                "https://github.com/apache/activemq/blob/activemq-6.1.3/activemq-broker/src/main/java/org/apache/activemq/broker/region/policy/AbstractDeadLetterStrategy.java (processExpired = true, processNonPersistent = false) and Destination.java beside it (DEFAULT_DEAD_LETTER_STRATEGY = new SharedDeadLetterStrategy())",
                "ActiveMQ Classic 6.1.3",
            ),
            copies_after_ack: false,
            default_dead_letter: Some(DefaultDeadLetter {
                after_redeliveries: 6,
                channel: "ActiveMQ.DLQ",
                protocols: &["jms", "openwire"],
            }),
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
        BrokerStack::Activemq,
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
