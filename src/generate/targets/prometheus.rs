//! `prometheus`: alerting rules per interaction from the seed's metrics, and promtool
//! unit tests that make each alert fire on failing traffic and stay silent otherwise.

use super::{Inputs, Job, Resolved};
use crate::generate::escape::{pascal, promql_str};
use crate::generate::templates::templates;
use crate::model::types::Pattern;
use crate::model::types::Slo;
use serde_json::{json, Value};

templates! {
    "prometheus/rules.yml" => "alerting rules per interaction from the seed's metrics",
    "prometheus/rules_test.yml" => "promtool unit tests for the alerting rules",
}

/// Prometheus evaluates `{{ }}` in alert labels and annotations as Go templates; a
/// name that contains `{{` must come out as text.
fn go_template_text(s: &str) -> String {
    s.replace("{{", "{{ \"{{\" }}")
}

fn selector(pairs: &[(&str, &str)]) -> String {
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", promql_str(v)))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

fn seconds(ms: f64) -> String {
    let s = ms / 1000.0;
    let mut t = format!("{s:.4}");
    while t.ends_with('0') {
        t.pop();
    }
    if t.ends_with('.') {
        t.pop();
    }
    t
}

/// The alerts, the test series and the expected alerts of every interaction so far.
#[derive(Default)]
struct Suite {
    groups: Vec<Value>,
    firing: Vec<Value>,
    healthy: Vec<Value>,
    tests: Vec<Value>,
}

/// One interaction's alert group under construction.
struct Group<'a> {
    r: &'a Resolved<'a>,
    /// Prefix of the alert names.
    base: String,
    /// `from -> to (id)`, for summaries.
    who: String,
    error_ratio: f64,
    error_pct: f64,
    labels: [(String, String); 4],
    alerts: Vec<Value>,
    defaulted: Vec<String>,
}

impl Group<'_> {
    fn add(
        &mut self,
        name: String,
        expr: String,
        for_: &str,
        severity: &str,
        summary: String,
        description: String,
    ) {
        let mut l: Vec<Value> = vec![json!({ "k": "severity", "v": severity })];
        l.extend(self.labels.iter().map(|(k, v)| json!({ "k": k, "v": v })));
        self.alerts.push(json!({
            "name": name,
            "expr": expr,
            "for": for_,
            "labels": l,
            "summary": go_template_text(&summary),
            "summary_text": summary,
            "description": go_template_text(&description),
            "description_text": description,
        }));
    }
}

pub fn jobs(inputs: &Inputs) -> Vec<Job> {
    let mut suite = Suite::default();
    for r in &inputs.resolved {
        add_interaction(inputs, r, &mut suite);
    }
    let Suite {
        groups,
        firing: mut firing_series,
        healthy: mut healthy_series,
        tests,
    } = suite;
    if groups.is_empty() {
        return Vec::new();
    }
    // Interactions that share a channel or a caller/callee pair share series too.
    for series in [&mut firing_series, &mut healthy_series] {
        let mut seen = std::collections::HashSet::new();
        series.retain(|s| seen.insert(s["series"].as_str().unwrap_or("").to_string()));
    }
    vec![
        Job {
            path: "prometheus/rules.yml".into(),
            template: "prometheus/rules.yml",
            context: json!({ "system": inputs.system, "groups": groups }),
        },
        Job {
            path: "prometheus/rules_test.yml".into(),
            template: "prometheus/rules_test.yml",
            context: json!({
                "system": inputs.system,
                "rule_file": "rules.yml",
                "firing": firing_series,
                "healthy": healthy_series,
                "tests": tests,
            }),
        },
    ]
}

/// The alert group of one interaction, its test series and expected alerts.
fn add_interaction(inputs: &Inputs, r: &Resolved, suite: &mut Suite) {
    let i = &r.decl.interaction;
    let slo = inputs
        .model
        .service(&i.to)
        .and_then(|s| s.service.slo.clone());
    let mut defaulted: Vec<String> = Vec::new();
    // Page when the error budget burns ten times faster than the SLO allows; capped
    // so that a loose SLO still alerts on a mostly failing dependency.
    let error_ratio = match slo.as_ref().and_then(|s| s.availability) {
        Some(a) => ((100.0 - a) / 100.0 * 10.0).clamp(0.001, 0.25),
        None => {
            defaulted
                .push("error ratio threshold = 5% (no SLO availability on the callee)".to_string());
            0.05
        }
    };
    let error_ratio = (error_ratio * 10_000.0).round() / 10_000.0;
    let mut g = Group {
        r,
        base: pascal(&r.id_slug),
        who: format!("{} -> {} ({})", i.from, i.to, i.id),
        error_ratio,
        error_pct: (error_ratio * 1_000_000.0).round() / 10_000.0,
        labels: [
            ("interaction".to_string(), go_template_text(&i.id)),
            ("from".to_string(), go_template_text(&i.from)),
            ("to".to_string(), go_template_text(&i.to)),
            ("pattern".to_string(), r.pattern.as_str().to_string()),
        ],
        alerts: Vec::new(),
        defaulted,
    };
    if r.pattern.has_sync_part() {
        sync_alerts(&mut g, slo.as_ref(), suite);
    }
    if matches!(r.pattern, Pattern::Queue | Pattern::Stream) {
        async_alerts(&mut g, suite);
    }
    if g.alerts.is_empty() {
        return;
    }
    for a in &g.alerts {
        suite.tests.push(json!({
            "alertname": a["name"],
            "labels": a["labels"].as_array().map(|l| l.iter().map(|kv| {
                // the expected labels are the rendered ones: the template escape undone
                json!({ "k": kv["k"], "v": kv["v"].as_str().map(|s| s.replace("{{ \"{{\" }}", "{{")) })
            }).collect::<Vec<_>>()),
            "summary": a["summary_text"],
            "description": a["description_text"],
        }));
    }
    suite.groups.push(json!({
        "name": format!("commsplan-{}", r.id_slug),
        "interaction": i.id,
        "from": i.from,
        "to": i.to,
        "summary": i.summary.clone().unwrap_or_default(),
        "alerts": g.alerts,
        "defaulted": g.defaulted.join("; "),
    }));
}

/// Error rate, p99 over the objective and circuit open, with the series that make
/// each fire.
fn sync_alerts(g: &mut Group, slo: Option<&Slo>, suite: &mut Suite) {
    let r = g.r;
    let (i, v) = (&r.decl.interaction, &r.v);
    let (base, who) = (g.base.clone(), g.who.clone());
    let (error_ratio, error_pct) = (g.error_ratio, g.error_pct);
    let sel = selector(&[("job", &i.from), ("service", &i.to)]);
    let err_sel = selector(&[("job", &i.from), ("service", &i.to), ("status", "5xx")])
        .replace("status=\"5xx\"", "status=~\"5..\"");
    let latency_ms = match slo.and_then(|s| s.latency_p99_ms) {
        Some(l) if l > 0.0 => l,
        _ => {
            g.defaulted.push(format!(
                "p99 threshold = the {} ms timeout (no SLO latency on the callee)",
                v.timeout_ms
            ));
            v.timeout_ms as f64
        }
    };
    let slo_s = seconds(latency_ms);
    g.add(
            format!("{base}HighErrorRate"),
            format!(
                "sum(rate(http_requests_total{err_sel}[5m])) / sum(rate(http_requests_total{sel}[5m])) > {error_ratio}"
            ),
            "5m",
            "page",
            format!("{who}: more than {error_pct}% of calls fail"),
            "5xx responses over all requests, 5-minute rate; check the callee's health and recent deploys.".into(),
        );
    g.add(
            format!("{base}LatencyP99OverSlo"),
            format!(
                "histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{sel}[5m]))) > {slo_s}"
            ),
            "10m",
            "ticket",
            format!("{who}: p99 latency above {slo_s}s"),
            "The callee's p99 latency is over its objective; callers' timeouts and retries will follow.".into(),
        );
    g.add(
        format!("{base}CircuitOpen"),
        format!("max(circuit_breaker_state{sel}) == 1"),
        "1m",
        "page",
        format!("{who}: circuit breaker open"),
        "Calls fail fast while the circuit is open; the callee is failing or too slow.".into(),
    );
    let bucket = |le: &str| {
        format!(
            "http_request_duration_seconds_bucket{}",
            selector(&[("job", &i.from), ("service", &i.to), ("le", le)])
        )
    };
    // Fixed bucket edges, far below and far above any sensible objective: the
    // series are shared by every interaction between the same two services.
    let low = "0.0001".to_string();
    let high = "3600".to_string();
    let req = |status: &str| {
        format!(
            "http_requests_total{}",
            selector(&[("job", &i.from), ("service", &i.to), ("status", status)])
        )
    };
    suite.firing.extend([
        json!({ "series": req("200"), "values": "0+60x30" }),
        json!({ "series": req("503"), "values": "0+60x30" }),
        json!({ "series": bucket(&low), "values": "0x30" }),
        json!({ "series": bucket(&high), "values": "0+60x30" }),
        json!({ "series": bucket("+Inf"), "values": "0+60x30" }),
        json!({ "series": format!("circuit_breaker_state{sel}"), "values": "1x30" }),
    ]);
    suite.healthy.extend([
        json!({ "series": req("200"), "values": "0+60x30" }),
        json!({ "series": req("503"), "values": "0x30" }),
        json!({ "series": bucket(&low), "values": "0+60x30" }),
        json!({ "series": bucket(&high), "values": "0+60x30" }),
        json!({ "series": bucket("+Inf"), "values": "0+60x30" }),
        json!({ "series": format!("circuit_breaker_state{sel}"), "values": "0x30" }),
    ]);
}

/// Processing failures, a growing backlog and dead letters, with their series.
fn async_alerts(g: &mut Group, suite: &mut Suite) {
    let r = g.r;
    let v = &r.v;
    let (base, who) = (g.base.clone(), g.who.clone());
    let (error_ratio, error_pct) = (g.error_ratio, g.error_pct);
    let q = selector(&[("queue", &v.channel)]);
    let dlq = selector(&[("queue", &v.dead_letter.channel)]);
    let failed = selector(&[("queue", &v.channel), ("status", "failed")]);
    let all = selector(&[("queue", &v.channel)]);
    g.add(
            format!("{base}ProcessingFailures"),
            format!(
                "sum(rate(messages_processed_total{failed}[5m])) / sum(rate(messages_processed_total{all}[5m])) > {error_ratio}"
            ),
            "5m",
            "ticket",
            format!("{who}: more than {error_pct}% of messages fail"),
            "Failed over all processed messages, 5-minute rate; failures are retried and then dead-lettered.".into(),
        );
    g.add(
        format!("{base}QueueDepthGrowing"),
        format!("max(deriv(queue_depth{q}[10m])) > 0 and max(queue_depth{q}) > 100"),
        "15m",
        "ticket",
        format!("{who}: backlog of {} keeps growing", v.channel),
        "Consumers fall behind producers; scale consumers or find the slow step.".into(),
    );
    g.add(
        format!("{base}DeadLetters"),
        format!("max(queue_depth{dlq}) > 0"),
        "5m",
        "ticket",
        format!(
            "{who}: dead-letter queue {} is not empty",
            v.dead_letter.channel
        ),
        "Messages failed every delivery attempt; inspect them, fix the cause, then replay.".into(),
    );
    let processed = |status: &str| {
        format!(
            "messages_processed_total{}",
            selector(&[("queue", &v.channel), ("status", status)])
        )
    };
    suite.firing.extend([
        json!({ "series": processed("success"), "values": "0+60x30" }),
        json!({ "series": processed("failed"), "values": "0+60x30" }),
        json!({ "series": format!("queue_depth{q}"), "values": "0+50x30" }),
        json!({ "series": format!("queue_depth{dlq}"), "values": "3x30" }),
    ]);
    suite.healthy.extend([
        json!({ "series": processed("success"), "values": "0+60x30" }),
        json!({ "series": processed("failed"), "values": "0x30" }),
        json!({ "series": format!("queue_depth{q}"), "values": "5x30" }),
        json!({ "series": format!("queue_depth{dlq}"), "values": "0x30" }),
    ]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_template_delimiters_become_text() {
        assert_eq!(go_template_text("a {{ b }}"), "a {{ \"{{\" }} b }}");
    }

    #[test]
    fn selectors_escape_label_values() {
        assert_eq!(
            selector(&[("job", "a\"b"), ("service", "multi\nline")]),
            r#"{job="a\"b", service="multi\nline"}"#
        );
    }

    #[test]
    fn seconds_are_short() {
        assert_eq!(seconds(300.0), "0.3");
        assert_eq!(seconds(2000.0), "2");
        assert_eq!(seconds(75.0), "0.075");
    }
}
