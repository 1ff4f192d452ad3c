//! What the checklist rules share: the interactions they apply to, small readers of the
//! model, and the one finding for an interaction that has no design yet.
//!
//! The checklist that applies follows `flowchart::applied_pattern`: the declared
//! `uses.pattern`, since that is what is built; without one, the flowchart's
//! recommendation (the checklist of what should be built). An interaction with no `uses`
//! block of its own is "not designed yet": it gets one D002 info finding instead of a
//! warning per checklist item.

use super::Context;
use crate::finding::Finding;
use crate::model::fields;
use crate::flowchart::{applied_pattern, Decision};
use crate::model::types::{Pattern, ServiceKind};
use crate::model::{InteractionDecl, Model};

/// The interactions the checklists apply to: designed, with a known pattern.
pub fn designed<'a>(
    cx: &'a Context<'_>,
) -> impl Iterator<Item = (&'a InteractionDecl, &'a Decision, Pattern)> + 'a {
    cx.designed()
        .iter()
        .map(|&(index, p)| (&cx.model.interactions[index], &cx.decisions[index], p))
}

/// Whether the interaction has an asynchronous half to check: queues and streams, and a
/// cqrs interaction that names the channel of its async processing. A cqrs interaction
/// without a channel describes the synchronous answer; its async half is expected as
/// its own queue or stream interaction.
pub fn has_async_half(decl: &InteractionDecl, pattern: Pattern) -> bool {
    match pattern {
        Pattern::Queue | Pattern::Stream => true,
        Pattern::Cqrs => decl.uses().channel.is_some(),
        _ => false,
    }
}

/// Kafka-like logs keep order per partition; queues per queue.
pub fn is_log(decl: &InteractionDecl, pattern: Pattern) -> bool {
    pattern == Pattern::Stream
        || decl
            .uses()
            .protocol
            .as_deref()
            .is_some_and(|p| matches!(p, "kafka" | "kinesis" | "pulsar" | "eventbridge"))
}

pub fn kind_of(model: &Model, service: &str) -> ServiceKind {
    model
        .service(service)
        .and_then(|s| s.service.kind)
        .unwrap_or(ServiceKind::Service)
}

pub fn slo_latency(model: &Model, service: &str) -> Option<f64> {
    model
        .service(service)
        .and_then(|s| s.service.slo.as_ref())
        .and_then(|s| s.latency_p99_ms)
}

/// The interaction as messages name it: its id, then `from → to`, so that several
/// interactions between the same two services can be told apart.
pub fn ends(decl: &InteractionDecl) -> String {
    format!(
        "`{}` (`{} → {}`)",
        decl.id(),
        decl.interaction.from,
        decl.interaction.to
    )
}

/// A starter `uses` block for a pattern: the seed's checklist as YAML.
pub fn starter(pattern: Pattern) -> String {
    crate::recommended::uses_block(pattern)
}

rules! {
    UNDESIGNED {
        code: "D002",
        name: "undesigned-interaction",
        severity: Info,
        harm: Hygiene,
        check: check_undesigned,
        summary: "The interaction has no `uses` block, so the checklists are not applied yet",
        doc: r#"## What it checks
Interactions without a `uses` block of their own (the file's `defaults` alone do not
count). Such an interaction is "not designed yet": commsplan recommends a pattern for it
but does not run the sync, async, resilience, observability or capacity checklists on it.
It still takes part in the call graph (G rules) with the recommended pattern.

## Why
Reporting every missing checklist item on an interaction nobody has designed yet would be a
wall of warnings saying one thing. One note per interaction says it once; the checklist
applies as soon as a `uses` block is written.

## Example
```yaml
- id: get-user
  from: order
  to: user
  needs: { realtime: true, consistency: strong }
```

## Fix
Write the design under `uses:` — the finding's help gives a starter block for the
recommended pattern, with the seed's checklist items filled in.
"#,
    }
}

fn check_undesigned(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (decl, decision) in cx.model.interactions.iter().zip(cx.decisions) {
        if decl.declares_uses {
            continue;
        }
        let Some(pattern) = applied_pattern(decl, decision) else {
            continue;
        };
        out.push(
            Finding::new(
                &UNDESIGNED,
                format!(
                    "{} has no `uses` block: the `{pattern}` checklist is not applied until the design is written",
                    ends(decl)
                ),
            )
            .at(cx.model.key_at(&decl.origin, fields::ID))
            .label("not designed yet")
            .help(format!("add `{}`", starter(pattern)))
            .interaction(decl.id()),
        );
    }
}
