use super::{emit, EXIT_OK};
use crate::analysis::analyze;
use crate::cli::ExplainArgs;
use crate::flowchart::{flowchart, Question};
use crate::model::types::{Consistency, Needs};
use crate::model::LoadOptions;
use crate::report::escape::one_line;
use anyhow::bail;
use std::fmt::Write;

pub fn run(args: &ExplainArgs) -> anyhow::Result<u8> {
    let text = match &args.interaction {
        None => explain_rule(&args.target)?,
        Some(id) => explain_interaction(&args.target, id)?,
    };
    emit(None, &text)?;
    Ok(EXIT_OK)
}

fn explain_rule(code: &str) -> anyhow::Result<String> {
    if code == "risk" {
        return Ok(crate::graph::impact::SCORING.to_string());
    }
    let Some(rule) = crate::rules::find(code) else {
        let hint = crate::rules::closest_code(code)
            .map(|s| format!(" (did you mean {s}?)"))
            .unwrap_or_default();
        bail!("no rule `{code}`{hint}; `commsplan rules` lists them all");
    };
    Ok(format!(
        "# {} {}\n\nfamily: {} · default severity: {}\n\n{}\n\n{}",
        rule.code,
        rule.name,
        rule.family.as_str(),
        rule.severity,
        rule.summary,
        rule.doc.trim_end()
    ) + &crate::graph::impact::explain_note(rule))
}

fn explain_interaction(file: &str, id: &str) -> anyhow::Result<String> {
    let analysis = analyze(&[file], &LoadOptions::default())?;
    let model = &analysis.model;
    let Some(index) = model.interactions.iter().position(|i| i.id() == id) else {
        let ids = model.interactions.iter().map(|i| i.id());
        let hint = crate::model::schema::did_you_mean(id, ids)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        bail!(
            "{} has no interaction `{}`{hint}",
            one_line(file),
            one_line(id)
        );
    };
    let decl = &model.interactions[index];
    let decision = &analysis.decisions[index];
    let chart = flowchart();
    let needs = decl.interaction.needs.clone().unwrap_or_default();
    let mut out = String::new();
    let i = &decl.interaction;
    // A name may hold a line break: the header stays one line.
    writeln!(
        out,
        "{} ({} → {})",
        one_line(&i.id),
        one_line(&i.from),
        one_line(&i.to)
    )?;
    if let Some(summary) = &i.summary {
        writeln!(out, "{summary}")?;
    }
    writeln!(out, "\nflowchart path:")?;
    for node_id in &decision.path {
        let node = &chart.graph[chart.node(node_id).expect("path nodes exist")];
        let answer = decision
            .answers
            .iter()
            .find(|(n, _, _)| n == node_id)
            .map(|(_, q, a)| format!("  → {}", q.describe(*a)))
            .unwrap_or_default();
        writeln!(out, "  {node_id}  {}{answer}", node.label)?;
    }
    match (decision.recommended, decision.missing) {
        (Some(p), _) => writeln!(out, "\nrecommended: {p}")?,
        (None, Some((node, q))) => writeln!(
            out,
            "\nno recommendation: node {node} asks {} (`needs.{}`)",
            q.asks(),
            q.field()
        )?,
        _ => {}
    }
    match decl.uses().pattern {
        Some(p) => writeln!(out, "declared:    {p}")?,
        None => writeln!(out, "declared:    (none)")?,
    }
    write_effective(&mut out, model, decl)?;
    write_what_if(&mut out, &needs, decision)?;
    write_findings(&mut out, &analysis.findings, id)?;
    Ok(out)
}

/// What each answer on the path would change if it were the other way.
fn write_what_if(
    out: &mut String,
    needs: &crate::model::types::Needs,
    decision: &crate::flowchart::Decision,
) -> std::fmt::Result {
    let chart = flowchart();
    writeln!(out, "\nwhat if:")?;
    for (node, question, answer) in &decision.answers {
        let mut flipped = needs.clone();
        set_answer(&mut flipped, *question, !answer);
        let other = chart.decide(&flipped);
        let outcome = match (other.recommended, other.missing) {
            (Some(p), _) => format!("`{p}`"),
            (None, Some((n, q))) => format!(
                "no recommendation until `needs.{}` (node {n}) is answered",
                q.field()
            ),
            _ => "no recommendation".into(),
        };
        writeln!(
            out,
            "  {node}: if {} instead → {outcome}",
            question.describe(!answer)
        )?;
    }
    Ok(())
}

/// This interaction's findings; a grouped finding is shown as this interaction's member.
fn write_findings(out: &mut String, all: &[crate::finding::Finding], id: &str) -> std::fmt::Result {
    let here = |f: &crate::finding::Finding| f.interaction.as_deref() == Some(id);
    let findings: Vec<crate::finding::Finding> = all
        .iter()
        .flat_map(|f| {
            if f.affected.is_empty() {
                here(f).then(|| f.clone()).into_iter().collect()
            } else if f
                .affected
                .iter()
                .any(|a| a.interaction.as_deref() == Some(id))
            {
                f.members().into_iter().filter(here).collect()
            } else {
                Vec::new()
            }
        })
        .collect();
    writeln!(out, "\nfindings ({}):", findings.len())?;
    for f in findings {
        let at = f
            .location
            .as_ref()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        let suppressed = if f.suppressed.is_some() {
            " (suppressed)"
        } else {
            ""
        };
        writeln!(
            out,
            "  {at}{} [{}] {}{suppressed}",
            f.severity, f.code, f.message
        )?;
    }
    Ok(())
}

/// The settings the rules judge, each with the value that applies and where it comes from.
fn write_effective(
    out: &mut String,
    model: &crate::model::Model,
    decl: &crate::model::InteractionDecl,
) -> std::fmt::Result {
    use crate::stacks::effective::{self, Origin};
    let stacks = effective::stacks(model, decl);
    writeln!(out, "\neffective configuration:")?;
    let declared =
        |what: &str, stack: Option<&'static str>, at: Option<&'static str>| match (stack, at) {
            (Some(name), Some(at)) => format!("  {what:<16}{name}  (declared at {at})"),
            _ => format!("  {what:<16}(not declared)"),
        };
    writeln!(
        out,
        "{}",
        declared(
            "client",
            stacks.client_stack().map(|s| s.name),
            stacks.client.map(|c| c.1)
        )
    )?;
    writeln!(
        out,
        "{}",
        declared(
            "mesh",
            stacks.mesh_stack().map(|s| s.name),
            stacks.mesh.map(|m| m.1)
        )
    )?;
    let line = |what: &str, value: Option<(String, Origin)>| match value {
        Some((v, origin)) => format!("  {what:<16}{v}  ← {}", origin.describe()),
        None => format!("  {what:<16}unknown: not written, and no declared stack documents it"),
    };
    let timeout = effective::timeout(model, decl, &stacks).map(|(v, o)| (v.describe(), o));
    writeln!(out, "{}", line("timeout", timeout))?;
    let connect = stacks.client_stack().and_then(|s| {
        s.connect_timeout.map(|f| {
            (
                f.value.describe(),
                Origin::Stack {
                    stack: s.name,
                    source: f.source,
                    version: f.version,
                },
            )
        })
    });
    writeln!(out, "{}", line("connect timeout", connect))?;
    let pool = match &decl.uses().pool {
        Some(p) if p.keep_alive == Some(false) => Some((
            "keep-alive off".to_string(),
            effective::written_origin(model, decl, crate::model::fields::USES_POOL),
        )),
        _ => {
            effective::connections(model, decl, &stacks).map(|(v, o)| (v.describe().to_string(), o))
        }
    };
    writeln!(out, "{}", line("connections", pool))?;
    let breaker = match &decl.uses().circuit_breaker {
        Some(_) => Some((
            "declared".to_string(),
            effective::written_origin(model, decl, crate::model::fields::USES_CIRCUIT_BREAKER),
        )),
        None => effective::breaker(model, decl, &stacks).map(|(v, o)| (v.describe(), o)),
    };
    writeln!(out, "{}", line("circuit breaker", breaker))?;
    let bulkhead = match &decl.uses().bulkhead {
        Some(_) => Some((
            "declared".to_string(),
            effective::written_origin(model, decl, crate::model::fields::USES_BULKHEAD),
        )),
        None => effective::bulkhead(model, decl, &stacks).map(|(v, o)| (v.describe(), o)),
    };
    writeln!(out, "{}", line("bulkhead", bulkhead))?;
    let layer = |l: Option<effective::Layer>| {
        l.map(|l| {
            let text = match l.stack_retries {
                Some(r) => r.describe(),
                None => format!("{} attempts in all", l.count),
            };
            (text, l.origin)
        })
    };
    let retries = match decl.uses().retry.as_ref() {
        Some(r) if r.max_attempts.is_none() => Some((
            "declared, attempts not set".to_string(),
            effective::written_origin(model, decl, crate::model::fields::USES_RETRY_MAX_ATTEMPTS),
        )),
        _ => layer(effective::client_attempts(model, decl, &stacks)),
    };
    writeln!(out, "{}", line("retries", retries))?;
    // A library's own resend is listed whether or not it counts as an attempt: a reader
    // asking "does anything retry this?" needs the transparent ones too.
    if let Some(stack) = stacks.client_stack() {
        if let Some(fact) = stack.replays {
            let skipped = fact.value.idempotent_only && decl.interaction.idempotent == Some(false);
            let text = if skipped {
                format!(
                    "{} (not for this call: it is `idempotent: false`)",
                    fact.value.what
                )
            } else {
                fact.value.describe()
            };
            let origin = Origin::Stack {
                stack: stack.name,
                source: fact.source,
                version: fact.version,
            };
            writeln!(out, "{}", line("resends", Some((text, origin))))?;
        }
    }
    let mesh = effective::mesh_attempts(model, decl, &stacks);
    if stacks.mesh.is_some() || mesh.is_some() {
        writeln!(out, "{}", line("mesh retries", layer(mesh)))?;
    }
    // The layers retry independently: the callee sees the product.
    if let Some(a) = effective::attempts(model, decl, &stacks) {
        if a.retrying().count() > 1 {
            writeln!(
                out,
                "  {:<16}{} requests at the callee at worst ({})",
                "attempts",
                a.count,
                effective::attempts_source(&a).unwrap_or_default()
            )?;
        }
    }
    write_broker(out, model, decl)
}

/// The broker of an asynchronous interaction and what it documents, each with its source.
fn write_broker(
    out: &mut String,
    model: &crate::model::Model,
    decl: &crate::model::InteractionDecl,
) -> std::fmt::Result {
    use crate::model::types::Pattern;
    let asynchronous = matches!(
        decl.uses().pattern,
        Some(Pattern::Queue | Pattern::Stream | Pattern::Cqrs)
    );
    let found = crate::stacks::effective::broker(model, decl);
    match found {
        None if asynchronous => writeln!(out, "  {:<16}(not declared)", "broker"),
        None => Ok(()),
        Some((broker, at)) => {
            writeln!(out, "  {:<16}{}  (declared at {at})", "broker", broker.name)?;
            for (what, fact) in broker.rows() {
                if let Some(f) = fact {
                    writeln!(
                        out,
                        "  {what:<16}{}  ← {} default ({}: {})",
                        f.value, broker.name, f.version, f.source
                    )?;
                }
            }
            Ok(())
        }
    }
}

fn set_answer(needs: &mut Needs, question: Question, answer: bool) {
    match question {
        Question::Realtime => needs.realtime = Some(answer),
        Question::Consistency => {
            needs.consistency = Some(if answer {
                Consistency::Strong
            } else {
                Consistency::Eventual
            })
        }
        Question::CanWait => needs.can_wait = Some(answer),
        Question::Ordering => needs.ordering = Some(answer),
    }
}
