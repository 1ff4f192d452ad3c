//! Decision rules: the flowchart's answer against the file.

use super::{Context, Family, Rule, RuleInfo};
use crate::finding::{Finding, Severity};

pub static MISSING_ANSWER: RuleInfo = RuleInfo {
    code: "M011",
    name: "missing-answer",
    family: Family::Model,
    severity: Severity::Error,
    summary: "A flowchart question on the interaction's path is not answered under `needs`",
    doc: r#"## What it checks
That `needs` answers every question the flowchart asks on the way to this interaction's
pattern. Questions the path does not reach are not needed: an interaction with
`realtime: false` is never asked about consistency.

| node | question | key |
|---|---|---|
| B | real-time response needed? | `realtime: true \| false` |
| C | is data consistency critical? | `consistency: strong \| eventual` |
| E | can the user wait? | `can_wait: true \| false` |
| I | must ordering be guaranteed? | `ordering: true \| false` |

## Why
Without the answer there is no recommendation, and the checklists cannot tell whether the
sync or the async rules apply.

## Example
```yaml
needs:
  realtime: true      # B: yes -> C asks about consistency
```

## Fix
Add the answer named in the message, e.g. `consistency: strong`.
"#,
};

pub struct MissingAnswer;

impl Rule for MissingAnswer {
    fn info(&self) -> &'static RuleInfo {
        &MISSING_ANSWER
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for (decl, decision) in cx.model.interactions.iter().zip(cx.decisions) {
            let Some((node, question)) = decision.missing else {
                continue;
            };
            let field = question.field();
            let at = format!("needs/{field}");
            // An answer that is written but invalid was left out (and reported where it is).
            let (what, fix) = if cx.model.is_written(&decl.origin, &at) {
                ("has no valid answer", "write")
            } else {
                ("is missing", "add")
            };
            out.push(
                Finding::new(
                    &MISSING_ANSWER,
                    format!(
                        "`needs.{field}` {what}: node {node} asks {}",
                        question.asks()
                    ),
                )
                .at(cx.model.locate(&decl.origin, &at))
                .label(format!("node {node} needs `{field}`"))
                .help(format!(
                    "{fix} `{}` under `needs:`",
                    question.how_to_answer()
                ))
                .interaction(decl.id()),
            );
        }
    }
}

pub static PATTERN_MISMATCH: RuleInfo = RuleInfo {
    code: "D001",
    name: "pattern-mismatch",
    family: Family::Decision,
    severity: Severity::Warning,
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
};

pub struct PatternMismatch;

impl Rule for PatternMismatch {
    fn info(&self) -> &'static RuleInfo {
        &PATTERN_MISMATCH
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
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
                Finding::new(
                    &PATTERN_MISMATCH,
                    format!(
                        "declared `{declared}` but the flowchart recommends `{recommended}` ({why}; path {})",
                        decision.path.join(" → ")
                    ),
                )
                .at(cx.model.locate(&decl.origin, "uses/pattern"))
                .label(format!("flowchart: {recommended}"))
                .help(format!(
                    "build it as `{recommended}`, or correct `needs` if an answer is wrong; `commsplan explain {} {}` shows each answer's effect",
                    cx.model.files[decl.origin.file].path,
                    decl.id()
                ))
                .interaction(decl.id()),
            );
        }
    }
}
