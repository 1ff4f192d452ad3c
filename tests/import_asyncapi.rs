//! `commsplan import asyncapi`: the AsyncAPI samples read where they are, and small
//! fixtures for references, bindings, hostile names and broken YAML.

mod common;

use common::{loads, samples, TempDir};
use std::path::{Path, PathBuf};

const KIND: &str = "asyncapi";

fn import(dir: &Path, args: &[&str]) -> (String, String, i32) {
    common::import(dir, KIND, args)
}

fn social_media() -> PathBuf {
    samples().join("asyncapi-social-media/examples/social-media")
}

/// (from, to, channel, protocol) of every interaction of a loaded model.
fn flows(model: &commsplan::model::Model) -> Vec<(String, String, String, String)> {
    let mut out: Vec<_> = model
        .interactions
        .iter()
        .map(|d| {
            let i = &d.interaction;
            (
                i.from.clone(),
                i.to.clone(),
                d.uses().channel.clone().unwrap_or_default(),
                d.uses().protocol.clone().unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

fn flow(from: &str, to: &str, channel: &str, protocol: &str) -> (String, String, String, String) {
    (from.into(), to.into(), channel.into(), protocol.into())
}

#[test]
fn social_media_joins_senders_to_receivers_across_five_documents() {
    let (text, err, code) = import(&social_media(), &["."]);
    assert_eq!(code, 0, "{err}");
    let model = loads(&text, "social");
    assert_eq!(
        flows(&model),
        [
            flow(
                "Comments Service",
                "Website Backend",
                "comment/{commentId}/changed",
                "mqtt"
            ),
            flow(
                "Website Backend",
                "Comments Service",
                "comment/liked",
                "mqtt"
            ),
            flow(
                "Website Backend",
                "Notifications Service",
                "comment/liked",
                "mqtt"
            ),
            flow("Website Backend", "Public API", "comment/liked", "mqtt"),
            flow(
                "Website Backend",
                "Website WebSocket Client",
                "update/comment/likes",
                "ws"
            ),
            flow(
                "Website WebSocket Client",
                "Website Backend",
                "like/comment",
                "ws"
            ),
        ]
    );
    // Every peer is in the input: no placeholder.
    assert!(!text.contains("unknown-peers"), "{text}");
    // The WebSocket protocol is read through the `$ref` into common/servers.yaml.
    assert!(
        text.contains("protocol: ws  # from ./common/servers.yaml:4"),
        "{text}"
    );
    insta::assert_snapshot!("asyncapi-social-media", text);
}

#[test]
fn slack_rtm_reads_publish_as_received_and_subscribe_as_sent() {
    let dir = samples().join("asyncapi-slack-rtm/examples");
    let (text, err, code) = import(&dir, &["slack-rtm.yml"]);
    assert_eq!(code, 0, "{err}");
    let model = loads(&text, "slack");
    let app = "Slack Real Time Messaging API";
    assert_eq!(
        flows(&model),
        [
            flow(app, "unknown-peers", "/", "http"),
            flow("unknown-peers", app, "/", "http"),
        ]
    );
    // The placeholder says what it is.
    assert!(
        text.contains("placeholder, not read from the input"),
        "{text}"
    );
    // `publish` (line 17) is what the application receives, `subscribe` (line 20) what it sends.
    assert!(
        text.contains("- id: unknown-peers-slack-real-time-messaging-api  # from slack-rtm.yml:17"),
        "{text}"
    );
    assert!(
        text.contains("- id: slack-real-time-messaging-api-unknown-peers  # from slack-rtm.yml:20"),
        "{text}"
    );
    insta::assert_snapshot!("asyncapi-slack-rtm", text);
}

const KAFKA_SERVER: &str = "servers:\n  prod:\n    url: broker:9092\n    protocol: kafka\n";

#[test]
fn v2_publish_and_subscribe_are_from_the_applications_view_with_kafka_keys() {
    let t = TempDir::new("v2");
    t.write(
        "orders/asyncapi.yaml",
        &format!(
            "asyncapi: '2.6.0'\ninfo: {{title: Orders, version: '1'}}\n{KAFKA_SERVER}channels:\n  order.placed:\n    subscribe:\n      summary: An order was placed.\n      message:\n        $ref: '#/components/messages/placed'\ncomponents:\n  messages:\n    placed:\n      bindings:\n        kafka:\n          key:\n            $ref: '#/components/schemas/orderId'\n  schemas:\n    orderId: {{type: string}}\n"
        ),
    );
    t.write(
        "billing/asyncapi.yaml",
        &format!(
            "asyncapi: '2.6.0'\ninfo: {{title: Billing, version: '1'}}\n{KAFKA_SERVER}channels:\n  order.placed:\n    publish:\n      message: {{name: placed}}\n"
        ),
    );
    let (text, err, code) = import(&t.0, &["."]);
    assert_eq!(code, 0, "{err}");
    let model = loads(&text, "v2");
    assert_eq!(
        flows(&model),
        [flow("Orders", "Billing", "order.placed", "kafka")]
    );
    let uses = model.interactions[0].uses();
    assert_eq!(uses.partition_key.as_deref(), Some("orderId"));
    assert_eq!(uses.pattern.map(|p| p.as_str()), Some("stream"));
    assert!(
        text.contains("partition_key: \"orderId\"  # from ./orders/asyncapi.yaml:18"),
        "{text}"
    );
}

#[test]
fn an_amqp_queue_binding_is_a_queue_and_a_routing_key_says_nothing() {
    let t = TempDir::new("amqp");
    let doc = |title: &str, action: &str, is: &str| {
        format!(
            "asyncapi: 3.0.0\ninfo: {{title: {title}, version: '1'}}\nservers:\n  rabbit: {{host: rabbit, protocol: amqps}}\nchannels:\n  jobs:\n    address: jobs\n    bindings: {{amqp: {{is: {is}}}}}\noperations:\n  work:\n    action: {action}\n    channel: {{$ref: '#/channels/jobs'}}\n"
        )
    };
    t.write("a/q.yaml", &doc("producer", "send", "queue"));
    t.write("b/q.yaml", &doc("worker", "receive", "queue"));
    let (text, _, code) = import(&t.0, &["."]);
    assert_eq!(code, 0);
    let model = loads(&text, "amqp");
    assert_eq!(flows(&model), [flow("producer", "worker", "jobs", "amqp")]);
    assert_eq!(
        model.interactions[0].uses().pattern.map(|p| p.as_str()),
        Some("queue")
    );
    t.write("a/q.yaml", &doc("producer", "send", "routingKey"));
    t.write("b/q.yaml", &doc("worker", "receive", "routingKey"));
    let (text, _, _) = import(&t.0, &["."]);
    let model = loads(&text, "amqp2");
    assert_eq!(model.interactions[0].uses().pattern, None, "{text}");
}

#[test]
fn ref_cycles_escapes_and_urls_are_noted_and_not_followed() {
    let t = TempDir::new("refs");
    t.write("outside.yaml", "x: {host: h, protocol: kafka}\n");
    t.write(
        "in/app.yaml",
        "asyncapi: 3.0.0\ninfo: {title: app, version: '1'}\nservers:\n  far: {$ref: '../outside.yaml#/x'}\n  web: {$ref: 'https://example.com/s.yaml#/s'}\nchannels:\n  a: {$ref: '#/channels/b'}\n  b: {$ref: '#/channels/a'}\n  c: {address: c}\noperations:\n  loop: {action: send, channel: {$ref: '#/channels/a'}}\n  out: {action: send, channel: {$ref: '#/channels/c'}}\n",
    );
    let (text, err, code) = import(&t.0.join("in"), &["app.yaml"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        text.contains("app.yaml:8: `$ref: #/channels/a` makes a cycle"),
        "{text}"
    );
    assert!(
        text.contains("`$ref: ../outside.yaml#/x` points outside the input"),
        "{text}"
    );
    assert!(
        text.contains("`$ref: https://example.com/s.yaml#/s` is absolute or a URL"),
        "{text}"
    );
    let model = loads(&text, "refs");
    // The channel that resolves is imported, with no protocol read from outside.
    assert_eq!(flows(&model), [flow("app", "unknown-peers", "c", "")]);
}

#[test]
fn hostile_titles_are_escaped_and_load() {
    let t = TempDir::new("hostile");
    t.write(
        "x/a.json",
        r##"{"asyncapi": "3.0.0", "info": {"title": "evil\"\n\u001b[31mname: é ✓", "version": "1"},
"channels": {"c": {"address": "a\"b\nc: d"}},
"operations": {"o": {"action": "send", "channel": {"$ref": "#/channels/c"}}}}"##,
    );
    let (text, err, code) = import(&t.0, &["."]);
    assert_eq!(code, 0, "{err}");
    assert!(!text.contains('\u{1b}'), "{text}");
    assert!(text.contains(r#""evil\"\n\u001b[31mname: é ✓""#), "{text}");
    let model = loads(&text, "hostile");
    assert_eq!(
        flows(&model),
        [flow(
            "evil\"\n\u{1b}[31mname: é ✓",
            "unknown-peers",
            "a\"b\nc: d",
            ""
        )]
    );
}

#[test]
fn broken_yaml_is_a_located_diagnostic_and_the_other_documents_are_read() {
    let t = TempDir::new("broken");
    t.write(
        "a/asyncapi.yaml",
        "asyncapi: 3.0.0\ninfo:\n  title: [broken\n",
    );
    t.write(
        "b/asyncapi.yaml",
        "asyncapi: 3.0.0\ninfo: {title: ok, version: '1'}\nchannels: {c: {address: c}}\noperations: {o: {action: receive, channel: {$ref: '#/channels/c'}}}\n",
    );
    let (text, err, code) = import(&t.0, &["."]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("a/asyncapi.yaml:"), "{err}");
    assert!(err.contains("M001"), "{err}");
    let model = loads(&text, "broken");
    assert_eq!(flows(&model), [flow("unknown-peers", "ok", "c", "")]);
}

#[test]
fn output_is_byte_identical_for_the_same_input() {
    let first = import(&social_media(), &["."]).0;
    let second = import(&social_media(), &["."]).0;
    assert_eq!(first, second);
}

#[test]
fn operation_and_message_traits_are_merged_as_each_version_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (text, err, code) = import(root, &["tests/fixtures/import/asyncapi-traits"]);
    assert_eq!(code, 0, "{err}");
    let model = loads(&text, "traits");
    let by_channel = |channel: &str| {
        model
            .interactions
            .iter()
            .map(|d| &d.interaction)
            .find(|i| i.uses.as_ref().and_then(|u| u.channel.as_deref()) == Some(channel))
            .unwrap_or_else(|| panic!("{channel}: {text}"))
    };
    let key = |channel: &str| {
        by_channel(channel)
            .uses
            .as_ref()
            .and_then(|u| u.partition_key.clone())
    };
    // 2.6: the trait overrides the operation's own summary; the key comes from the
    // message trait, named by its `$ref`.
    assert_eq!(
        by_channel("orders.created").summary.as_deref(),
        Some("Order events")
    );
    assert_eq!(key("orders.created").as_deref(), Some("orderId"));
    // 3.0: the object's own properties win over its traits, and a later trait over an
    // earlier one; a `null` in a trait removes the property.
    assert_eq!(
        by_channel("invoices").summary.as_deref(),
        Some("Send invoices")
    );
    assert_eq!(key("invoices").as_deref(), Some("invoiceId"));
    assert_eq!(key("refunds").as_deref(), Some("ownKey"));
    assert_eq!(by_channel("refunds").summary, None);
    // Each value is located where the winning layer writes it.
    assert!(
        text.contains("partition_key: \"invoiceId\"  # from tests/fixtures/import/asyncapi-traits/billing.yaml:37"),
        "{text}"
    );
}
