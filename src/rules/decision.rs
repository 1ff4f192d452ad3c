//! Decision rules: the flowchart's answer against the file.

use super::Context;
use crate::codes;
use crate::finding::Finding;
use crate::flowchart::Question;
use crate::model::fields::{self, Field};

/// Where the answer to `question` is written under an interaction.
fn answer_field(question: Question) -> Field {
    match question {
        Question::Realtime => fields::NEEDS_REALTIME,
        Question::Consistency => fields::NEEDS_CONSISTENCY,
        Question::CanWait => fields::NEEDS_CAN_WAIT,
        Question::Ordering => fields::NEEDS_ORDERING,
    }
}

fn check_missing_answer(cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (decl, decision) in cx.model.interactions.iter().zip(cx.decisions) {
            let Some((node, question)) = decision.missing else {
                continue;
            };
            let field = question.field();
            let at = answer_field(question);
            // An answer that is written but invalid was left out (and reported where it is).
            let (what, fix) = if cx.model.is_written(&decl.origin, at) {
                ("has no valid answer", "write")
            } else {
                ("is missing", "add")
            };
            out.push(
                cx.finding(
                    &codes::MISSING_ANSWER,
                    decl,
                    at,
                    format!(
                        "`needs.{field}` {what}: node {node} asks {}",
                        question.asks()
                    ),
                )
                .label(format!("node {node} needs `{field}`"))
                .help(format!(
                    "{fix} `{}` under `needs:`",
                    question.how_to_answer()
                )),
            );
        }
}

rules! {
    @uses codes::MISSING_ANSWER => check_missing_answer;

    PATTERN_MISMATCH {
        code: "D001",
        name: "pattern-mismatch",
        severity: Warning,
        check: check_pattern_mismatch,
        summary: "The declared pattern differs from the flowchart's recommendation",
        doc: r#"## What it checks
`uses.pattern` against the pattern the decision flowchart reaches from the answers under
`needs` (see `commsplan flowchart`).

## Why
The flowchart encodes the trade-off: strong consistency needs a synchronous answer; work the
caller does not wait for belongs on a queue or a stream, where a slow or failed consumer does
not fail the caller. A declared pattern that disagrees means either the design or the answers
are wrong. For example, sending e-mail synchronously from checkout makes checkout as available
as the mail server.

## Example
```yaml
needs: { realtime: false, ordering: false }
uses:  { pattern: sync, protocol: rest }     # the flowchart says: stream
```

## Fix
Change the design to the recommended pattern, or correct the answers if they are wrong. If
the team has decided otherwise on purpose, suppress with a reason.
"#,
    }
}

fn check_pattern_mismatch(cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (decl, decision) in cx.model.interactions.iter().zip(cx.decisions) {
            let (Some(declared), Some(recommended)) = (decl.uses().pattern, decision.recommended)
            else {
                continue;
            };
            if declared == recommended {
                continue;
            }
            let why = decision.reasons.join(", ");
            out.push(
                cx.finding(
                    &PATTERN_MISMATCH,
                    decl,
                    fields::USES_PATTERN,
                    format!(
                        "declared `{declared}` but the flowchart recommends `{recommended}` ({why}; path {})",
                        decision.path.join(" → ")
                    ),
                )
                .label(format!("flowchart: {recommended}"))
                .help(format!(
                    "build it as `{recommended}`, or correct `needs` if an answer is wrong; `commsplan explain {} {}` shows each answer's effect",
                    cx.model.files[decl.origin.file].path,
                    decl.id()
                )),
            );
        }
    }
