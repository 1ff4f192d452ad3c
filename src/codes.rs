//! What every code is, at the bottom of the crate: its severity, its family (the letter
//! it starts with) and its kind, and the table of the `M` codes — the problems with the
//! input files that the loader, the config reader and the suppressions report, and the
//! one check about the file (M011). The other checks declare their codes beside their
//! code, in `rules`; `rules::registry` joins the two.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A family of codes; every code starts with its family's letter (FORMAT.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Model,
    Decision,
    Sync,
    Async,
    Resilience,
    Observability,
    Graph,
    Capacity,
    Drift,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Model => "model",
            Family::Decision => "decision",
            Family::Sync => "sync",
            Family::Async => "async",
            Family::Resilience => "resilience",
            Family::Observability => "observability",
            Family::Graph => "graph",
            Family::Capacity => "capacity",
            Family::Drift => "drift",
        }
    }

    pub fn letter(self) -> char {
        match self {
            Family::Model => 'M',
            Family::Decision => 'D',
            Family::Sync => 'S',
            Family::Async => 'A',
            Family::Resilience => 'R',
            Family::Observability => 'O',
            Family::Graph => 'G',
            Family::Capacity => 'C',
            // `D` is the decision family's: drift is the infrastructure's word.
            Family::Drift => 'I',
        }
    }

    /// The family a code belongs to, by its first letter. Only evaluated while
    /// compiling the code tables, where a code of no family stops the build.
    const fn of_code(code: &str) -> Family {
        match code.as_bytes() {
            [b'M', ..] => Family::Model,
            [b'D', ..] => Family::Decision,
            [b'S', ..] => Family::Sync,
            [b'A', ..] => Family::Async,
            [b'R', ..] => Family::Resilience,
            [b'O', ..] => Family::Observability,
            [b'G', ..] => Family::Graph,
            [b'C', ..] => Family::Capacity,
            [b'I', ..] => Family::Drift,
            _ => panic!("a code starts with the letter of its family"),
        }
    }
}

/// What goes wrong when a finding's gap is hit: the second part of its risk, beside
/// where it sits in the call graph (`commsplan explain risk`). Each family has a default
/// ([`Harm::of_family`]); a rule whose consequence differs declares it at its `rules!`
/// entry (`harm: Wait,`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Harm {
    /// Visibility or efficiency (metrics, pooling, caching, compression): the gap makes
    /// failures harder to see or calls slower, but fails no request by itself.
    Hygiene,
    /// A failure or a load that spreads: no breaker, bulkhead or admission control,
    /// retries that multiply, a capacity below the traffic.
    Spread,
    /// A wait without a bound, or one that outlasts its caller's: the caller's threads and
    /// connections, and those of every caller above it, are held while the callee hangs,
    /// or after the caller above has given up.
    Wait,
    /// Data wrong, lost or applied twice: a retried payment, a decision on a stale copy,
    /// a message lost or processed twice.
    Integrity,
}

impl Harm {
    /// The consequence of a family's rules unless a rule declares its own.
    pub const fn of_family(family: Family) -> Harm {
        match family {
            Family::Observability => Harm::Hygiene,
            _ => Harm::Spread,
        }
    }

    /// Points added to the impact score in the risk order.
    pub fn points(self) -> u32 {
        match self {
            Harm::Hygiene => 0,
            Harm::Spread => 20,
            Harm::Wait => 40,
            Harm::Integrity => 50,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Harm::Hygiene => "hygiene",
            Harm::Spread => "spread",
            Harm::Wait => "wait",
            Harm::Integrity => "integrity",
        }
    }
}

/// Who reports a code, which decides what the run may do with its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The loader: an architecture file that does not read or fit the format.
    Loader,
    /// The reader of `commsplan.toml`.
    Config,
    /// The suppressions themselves (expired, unused).
    Suppression,
    /// A rule run on the loaded model.
    Check,
    /// `commsplan drift`: the model compared with the deployed configuration.
    Drift,
}

impl Kind {
    /// Codes that say an input did not load (completely). They are always reported:
    /// they cannot be deselected, suppressed or baselined, since what did not load was
    /// not analysed.
    pub fn is_input(self) -> bool {
        matches!(self, Kind::Loader | Kind::Config)
    }
}

/// A code's identity and documentation.
#[derive(Debug, Serialize)]
pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub family: Family,
    pub severity: Severity,
    #[serde(skip)]
    pub kind: Kind,
    /// One line: what the code reports.
    pub summary: &'static str,
    /// Markdown: What it checks / Why / Example / Fix.
    #[serde(skip)]
    pub doc: &'static str,
    /// What goes wrong when the gap is hit (see [`Harm`]).
    #[serde(skip)]
    pub harm: Harm,
}

impl RuleInfo {
    /// For the code tables; the family follows from the code.
    pub const fn new(
        code: &'static str,
        name: &'static str,
        kind: Kind,
        severity: Severity,
        summary: &'static str,
        doc: &'static str,
    ) -> RuleInfo {
        RuleInfo {
            code,
            name,
            family: Family::of_code(code),
            severity,
            kind,
            summary,
            doc,
            harm: Harm::of_family(Family::of_code(code)),
        }
    }

    /// The rule's own consequence, where it differs from its family's.
    pub const fn with_harm(mut self, harm: Harm) -> RuleInfo {
        self.harm = harm;
        self
    }
}

/// The kind of `code`: the `M` and `I` tables say, every other code is a check's.
pub fn kind_of(code: &str) -> Kind {
    MODEL
        .iter()
        .chain(DRIFT)
        .find(|r| r.code == code)
        .map_or(Kind::Check, |r| r.kind)
}

/// Whether findings of `code` say an input did not load (see [`Kind::is_input`]).
pub fn is_input_code(code: &str) -> bool {
    kind_of(code).is_input()
}

/// Declares a table of codes: one static each, and `$table` listing them all.
macro_rules! code_table {
    ($(#[$attr:meta])* $table:ident; $($ident:ident {
        code: $code:literal,
        name: $name:literal,
        kind: $kind:ident,
        severity: $severity:ident,
        summary: $summary:expr,
        doc: $doc:expr,
    })*) => {
        $(pub static $ident: RuleInfo =
            RuleInfo::new($code, $name, Kind::$kind, Severity::$severity, $summary, $doc);)*

        $(#[$attr])*
        pub static $table: &[&RuleInfo] = &[$(&$ident),*];
    };
}

code_table! {
    /// Every `M` code, in code order.
    MODEL;
    YAML_SYNTAX {
        code: "M001",
        name: "yaml-syntax",
        kind: Loader,
        severity: Error,
        summary: "The file is not valid YAML",
        doc: r#"## What it checks
That the file is well-formed YAML 1.2: indentation, quotes, brackets, one document per file.

## Why
Nothing else can be checked until the file parses. commsplan stops reading the file at the
first syntax error and points at it (for an unclosed string, at the opening quote).

## Example
```yaml
services:
  order: { kind: service
```

## Fix
Close the bracket or quote, and indent with spaces (YAML forbids tabs in indentation).
"#,
    }

    UNKNOWN_KEY {
        code: "M002",
        name: "unknown-key",
        kind: Loader,
        severity: Error,
        summary: "A key that the file format does not define",
        doc: r#"## What it checks
Every key against the keys the format defines at that place, with a "did you mean" for typos.
Keys that start with `x-` are extension fields and are ignored everywhere.

## Why
A misspelt key is silently ignored by most tools: `timeout_sm: 500` looks configured but is not.

## Example
```yaml
uses:
  timout_ms: 500
```

## Fix
Use the suggested key, or prefix a key of your own with `x-`.
"#,
    }

    WRONG_TYPE {
        code: "M003",
        name: "wrong-type",
        kind: Loader,
        severity: Error,
        summary: "A value of the wrong type",
        doc: r#"## What it checks
That each value has the type the format defines: numbers, booleans, strings, lists, mappings.

## Why
YAML guesses types from the text. commsplan reads YAML 1.2, where `yes`, `no`, `on` and `off`
are strings, not booleans, and `"500"` in quotes is a string, not a number.

## Example
```yaml
needs:
  realtime: yes
```

## Fix
Write `true` or `false` for booleans and unquoted numbers for numbers.
"#,
    }

    INVALID_VALUE {
        code: "M004",
        name: "invalid-value",
        kind: Loader,
        severity: Error,
        summary: "A value outside the allowed set or range",
        doc: r#"## What it checks
Enumerations (patterns, kinds, languages, codecs), ranges (percentages, positive counts) and
formats (dates).

## Why
An unknown pattern name or a negative timeout cannot be reasoned about.

## Example
```yaml
uses:
  pattern: async
```

## Fix
Use one of the listed values.
"#,
    }

    MISSING_FIELD {
        code: "M005",
        name: "missing-field",
        kind: Loader,
        severity: Error,
        summary: "A required field is missing",
        doc: r#"## What it checks
Required fields: `version`, `system`, `services` and `interactions` at the top; `id`, `from`
and `to` on each interaction; `rule` and `reason` on each suppression.

## Why
Without them an interaction cannot be named, placed in the call graph or reported.

## Example
```yaml
interactions:
  - from: order
    to: inventory
```

## Fix
Add the field named in the message.
"#,
    }

    DUPLICATE_KEY {
        code: "M006",
        name: "duplicate-key",
        kind: Loader,
        severity: Error,
        summary: "The same key twice in one mapping",
        doc: r#"## What it checks
That no mapping repeats a key. The finding points at the second occurrence.

## Why
YAML forbids duplicate keys, yet many parsers silently keep the last value, so one of the two
settings is quietly lost.

## Example
```yaml
uses:
  timeout_ms: 500
  timeout_ms: 2000
```

## Fix
Keep one of the two.
"#,
    }

    UNKNOWN_SERVICE {
        code: "M007",
        name: "unknown-service",
        kind: Loader,
        severity: Error,
        summary: "`from` or `to` names no service",
        doc: r#"## What it checks
That each interaction's `from` and `to` name a service defined under `services`, and so do
the services a carried copy names (`copy.of`, `copy.kept_by`).

## Why
An interaction with a dangling end cannot be placed in the call graph; usually it is a typo
or a service that was renamed.

## Example
```yaml
services: { order: {}, inventory: {} }
interactions:
  - { id: reserve, from: order, to: inventroy }
```

## Fix
Use the suggested service name, or define the service.
"#,
    }

    DUPLICATE_ID {
        code: "M008",
        name: "duplicate-interaction-id",
        kind: Loader,
        severity: Error,
        summary: "Two interactions share an id",
        doc: r#"## What it checks
That interaction ids are unique across all the files analysed together.

## Why
Findings, suppressions, baselines and `explain` address interactions by id.

## Example
```yaml
interactions:
  - { id: reserve, from: order, to: inventory }
  - { id: reserve, from: order, to: payment }
```

## Fix
Rename one of them.
"#,
    }

    BAD_VERSION {
        code: "M009",
        name: "unsupported-version",
        kind: Loader,
        severity: Error,
        summary: "`version` is missing or not 1",
        doc: r#"## What it checks
That the file declares `version: 1`, the only version of the format.

## Why
The version tells commsplan (and future versions of it) how to read the file.

## Example
```yaml
version: 2
```

## Fix
Write `version: 1` at the top of the file.
"#,
    }

    INVALID_ID {
        code: "M010",
        name: "invalid-id",
        kind: Loader,
        severity: Error,
        summary: "An interaction id with characters outside `[a-z0-9][a-z0-9-_.]*`",
        doc: r#"## What it checks
Interaction ids: lower-case letters, digits, `-`, `_` and `.`, starting with a letter or digit.

## Why
Ids end up in file names, metric labels, SARIF fingerprints and command lines.

## Example
```yaml
- id: Reserve Stock
```

## Fix
Write the id in kebab-case: `reserve-stock`.
"#,
    }

    MISSING_ANSWER {
        code: "M011",
        name: "missing-answer",
        kind: Check,
        severity: Error,
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
    }

    MISSING_REASON {
        code: "M012",
        name: "suppression-without-reason",
        kind: Loader,
        severity: Error,
        summary: "A suppression without a reason",
        doc: r#"## What it checks
That every `suppress` entry says why the finding does not apply.

## Why
A suppression without a reason is a decision nobody can review or revisit.

## Example
```yaml
suppress:
  - rule: S003
```

## Fix
Add `reason:` with a sentence a reviewer would accept.
"#,
    }

    LIMIT {
        code: "M013",
        name: "input-limit",
        kind: Loader,
        severity: Error,
        summary: "The input exceeds a safety limit",
        doc: r#"## What it checks
File size, nesting depth and the number of nodes that YAML aliases may expand to.

## Why
An architecture file is small. A file that expands to millions of nodes (a "billion laughs"
alias bomb) or nests hundreds of levels deep is a mistake or an attack, and reading it would
exhaust memory.

## Example
```yaml
a: &a [x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
```

## Fix
Remove the deep nesting or the nested aliases; split a very large system into several files.
"#,
    }

    ENCODING {
        code: "M014",
        name: "invalid-encoding",
        kind: Loader,
        severity: Error,
        summary: "The file is not UTF-8 text",
        doc: r#"## What it checks
That the file is UTF-8 (a byte-order mark is allowed) and contains no control characters
that YAML forbids.

## Why
YAML is defined on Unicode text; a file saved as Latin-1 or a binary file cannot be read
reliably.

## Example
A file saved in Latin-1 with `owner: équipe` in it.

## Fix
Save the file as UTF-8.
"#,
    }

    EMPTY {
        code: "M015",
        name: "empty-file",
        kind: Loader,
        severity: Error,
        summary: "The file holds no document",
        doc: r#"## What it checks
That the file is not empty (or only comments).

## Why
An empty file is usually a failed generation step or a wrong path.

## Example
An empty `system.yaml`.

## Fix
Start from `commsplan init`.
"#,
    }

    DUPLICATE_SERVICE {
        code: "M016",
        name: "duplicate-service",
        kind: Loader,
        severity: Error,
        summary: "A service defined in two of the files analysed together",
        doc: r#"## What it checks
That a service name is defined once across all the files given to one run.

## Why
Two definitions of one service can disagree (kind, SLO); commsplan would have to pick one.

## Example
`order` defined both in `shop.yaml` and in `payments.yaml`.

## Fix
Define the service in one file; the other file can still refer to it.
"#,
    }

    INVALID_CONFIG {
        code: "M017",
        name: "invalid-config",
        kind: Config,
        severity: Error,
        summary: "commsplan.toml has an unknown key, a wrong type or an unknown rule code",
        doc: r#"## What it checks
`commsplan.toml`: its syntax, that every key is one commsplan reads (`select`, `ignore`,
`[severity]`, `[thresholds]` and the threshold names listed in docs/rules.md), that each
code or prefix names a rule, and that severities are `error`, `warning` or `info`.

## Why
A misspelt setting is silently ignored by most tools: `[thresholds] max_sync_dept = 6`
would look configured while the default still applies. commsplan points at the key.

## Example
```toml
[thresholds]
max_sync_dept = 6
```

## Fix
Use the key or code the message suggests. `commsplan rules` lists every code.
"#,
    }

    EXPIRED_SUPPRESSION {
        code: "M018",
        name: "expired-suppression",
        kind: Suppression,
        severity: Warning,
        summary: "A suppression whose `until` date has passed",
        doc: r#"## What it checks
The `until: YYYY-MM-DD` of every suppression against today's date (the system clock, or
`COMMSPLAN_TODAY=YYYY-MM-DD`). A suppression is in force through its `until` day; after it,
it no longer applies and the findings it silenced are reported again.

## Why
"We will fix it next quarter" should not silence a finding for ever. An expiry date turns an
exception into a decision that is reviewed.

## Example
```yaml
suppress:
  - rule: S003
    reason: provider SDK manages its own connection
    until: 2025-03-31
```

## Fix
Fix what the suppressed findings report and remove the suppression, or review the decision
and move `until` forward.
"#,
    }

    UNUSED_SUPPRESSION {
        code: "M019",
        name: "unused-suppression",
        kind: Suppression,
        severity: Warning,
        summary: "A suppression that matches no finding, or names no rule",
        doc: r#"## What it checks
Every suppression silences at least one finding of a rule that ran, and its `rule` is a
rule code or a code prefix (`S003`, `S`). Suppressions of rules deselected in
`commsplan.toml` are not reported.

## Why
A suppression that no longer matches anything (the problem was fixed, the interaction was
renamed, the code was mistyped) hides nothing today but would silently hide the next real
finding. Removing it keeps the exceptions list honest.

## Example
```yaml
suppress:
  - rule: S030          # no such rule: S003 was meant
    reason: SDK manages connections
```

## Fix
Remove the suppression, or correct its `rule` or `target`.
"#,
    }

    INVALID_INCLUDE {
        code: "M020",
        name: "invalid-include",
        kind: Loader,
        severity: Error,
        summary: "An `include` entry that cannot be followed",
        doc: r#"## What it checks
Each entry of a file's `include` list: that it is a relative path or glob pattern, that it
names a readable regular file (a pattern: at least one) inside the directory of the file
given on the command line, and that no file includes itself, directly or through others.
The finding points at the entry; for a cycle it also points at the entry that starts it.

## Why
A file that silently fails to load takes a team's services and interactions out of the
review. A cycle would never end, and an absolute path or one outside the project makes the
result depend on the machine it runs on.

## Example
```yaml
# system.yaml
include: [teams/orders.yaml]
# teams/orders.yaml
include: [../system.yaml]
```

## Fix
Correct the path or pattern; include each file from one place and remove the entry that
closes the cycle. A file outside the project can be given on the command line instead.
"#,
    }

    UNKNOWN_INTERACTION {
        code: "M021",
        name: "unknown-interaction",
        kind: Loader,
        severity: Error,
        summary: "`operation.based_on` names no interaction",
        doc: r#"## What it checks
That an interaction's `operation.based_on` names the id of an interaction of the files.

## Why
The write is checked against the read it names (G015); a name that matches nothing is
usually a typo or an interaction that was renamed, and the check would silently not run.

## Example
```yaml
- id: save-basket
  from: bff
  to: basket
  operation: { name: add-item, writes: true, based_on: get-baskett }
```

## Fix
Use the suggested id, or the id of the read the write is decided on.
"#,
    }
}

code_table! {
    /// Every `I` code (`commsplan drift`), in code order.
    DRIFT;
    SETTING_DRIFT {
        code: "I001",
        name: "setting-drift",
        kind: Drift,
        severity: Error,
        summary: "A call setting in the model differs from the deployed configuration",
        doc: r#"## What it checks
`commsplan drift` reads the deployed configuration (`--from kubernetes:deploy/`) and
compares each setting it finds (timeout, retry attempts, connection pool, circuit breaker,
channel, protocol) with the value the model says the call uses: the interaction's own
`uses`, else the file's `defaults`. One finding per value that differs, at the model's
value, with the deployed file and line as the related location.

## Why
The checks judge the model. A timeout of 2 s in the file and 1 s in the VirtualService
means every budget, retry and chain figure commsplan reported is about a system that does
not run.

## Example
```yaml
# system.yaml                       # istiofiles/virtual-service.yml
uses:                               #   http:
  timeout_ms: 2000                  #   - timeout: 1.000s
```

## Fix
Decide which side is right. If the deployment is, `commsplan import kubernetes deploy/
--merge system.yaml` writes the deployed values into the model; otherwise change the
manifest.
"#,
    }

    SETTING_NOT_IN_MODEL {
        code: "I002",
        name: "setting-not-in-model",
        kind: Drift,
        severity: Warning,
        summary: "The deployed configuration sets a call setting that the model does not say",
        doc: r#"## What it checks
A setting the deployed configuration gives a call (a route timeout, retry attempts, an
outlier detection) that neither the interaction's `uses` nor the file's `defaults` writes.
The finding points at the interaction's `uses` (or the interaction, without one) and at
the deployed file and line.

## Why
Without the value the checks fall back on a stack's default or report the setting as
missing, while the running system has one: the review is about a different system.

## Example
```yaml
# system.yaml: no timeout         # VirtualService: timeout: 1.000s
uses: { pattern: sync }
```

## Fix
Write the value into the model (`commsplan import … --merge system.yaml` does it with a
`# from file:line` comment).
"#,
    }

    CALL_NOT_IN_MODEL {
        code: "I003",
        name: "call-not-in-model",
        kind: Drift,
        severity: Warning,
        summary: "The deployed configuration shows a call that no interaction of the model describes",
        doc: r#"## What it checks
Each call the deployed files show (an address of another service in an environment
variable, an AsyncAPI operation) against the model's interactions. A call matches an
interaction with the same `from` and `to` services; an asynchronous call with a channel
matches only an interaction on that channel (or one that names no channel). The finding
points at the deployed file and line, with the model's `interactions:` as the related
location.

## Why
A call the model does not know is left out of the call graph: chain depth, timeout
budgets and availability are computed without it. It is a warning, not an error, because
an address in the configuration is evidence of a call, not proof of one.

## Example
```yaml
# deployment.yaml
env:
  - name: PAYMENT_SERVICE_ADDR
    value: "payment:50051"      # no interaction from checkout to payment in the model
```

## Fix
Add the interaction (`commsplan import … --merge system.yaml` appends it, with its
`needs` left as TODOs), or remove the stale address from the deployment.
"#,
    }

    CALL_NOT_SHOWN_DEPLOYED {
        code: "I004",
        name: "call-not-shown-deployed",
        kind: Drift,
        severity: Info,
        summary: "An interaction of the model that the deployed files do not show",
        doc: r#"## What it checks
Each interaction of the model against the calls read from the deployed files, with the
matching rule of I003. It points at the interaction.

## Why
The importers see only some calls: an address in an environment variable or a config
map, an AsyncAPI operation. A call configured in code, through service discovery or by a
client library's default address leaves no trace in the manifests, so this is information
to review, not a sign that the call is gone. When the called service itself is missing
from the deployment, the message says so.

## Example
```yaml
interactions:
  - id: reserve-stock         # the manifests hold no address of inventory in order's env
    from: order
    to: inventory
```

## Fix
Nothing, if the call is made in a way the manifests cannot show. If the call is gone,
remove the interaction.
"#,
    }

    SERVICE_NOT_IN_MODEL {
        code: "I005",
        name: "service-not-in-model",
        kind: Drift,
        severity: Warning,
        summary: "The deployed configuration runs a service that the model does not have",
        doc: r#"## What it checks
Each service the deployed files declare (a Kubernetes Service or workload, a compose
service, an AsyncAPI application, an Istio ingress Gateway) against the model's
`services`, by name. The finding points at the deployed declaration, with the model's
`services:` as the related location. A deployed datastore, broker, load generator or
`ExternalName` alias (the importers give them kind `external` or `client`) is reported
at severity info: a model may leave infrastructure out on purpose. The placeholder
`unknown-peers` of the AsyncAPI importer is not a deployed service and is never reported.

## Why
A service that runs and is not in the model takes no part in the review: its calls,
its callers and its place in the chains are unknown to every check. A renamed service
shows up here and as I006 for its old name.

## Example
```yaml
# deploy/payment.yaml: a Deployment and a Service `payment`
# system.yaml: services: { checkout: {}, cart: {} }   (no payment)
```

## Fix
Add the service to the model (`commsplan import … --merge system.yaml` adds it with the
calls that name it), or rename the model's service to the deployed name.
"#,
    }

    SERVICE_NOT_DEPLOYED {
        code: "I006",
        name: "service-not-deployed",
        kind: Drift,
        severity: Info,
        summary: "A service of the model that the deployed files do not run",
        doc: r#"## What it checks
Each service of the model against the services the deployed files declare, by name, when
those files list the deployed services at all (Kubernetes Services or workloads, compose
services; not Istio resources alone, not AsyncAPI documents, which describe some
applications only). Not reported: services of kind `external` or `client` (they run
outside the system), services whose name has a datastore or broker word (`postgres`,
`redis`, `kafka`, `db`, … the importers' list), which are commonly run outside the
cluster as managed services, and any service when a deployed file could not be read.
It points at the service.

## Why
A service in the model that nothing deploys is either gone (renamed, removed: the model
reviews a system that does not run) or deployed from files that were not given (another
repository's manifests). The tool cannot tell the two apart, so this is information to
review, not a warning.

## Example
```yaml
services:
  legacy-billing: {}     # no Deployment, Service or compose service of that name
```

## Fix
Remove or rename the service if it is gone; give the other manifests (`--from` is
repeatable) if it is deployed elsewhere; or mark it `kind: external` if it is not part of
the deployed system.
"#,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_table_is_in_code_order_and_every_code_is_m() {
        for pair in MODEL.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        for code in MODEL {
            assert_eq!(code.family, Family::Model, "{}", code.code);
            assert!(code.code.starts_with(code.family.letter()));
        }
    }

    #[test]
    fn the_drift_table_is_in_code_order_and_every_code_is_a_drift_code() {
        for pair in DRIFT.windows(2) {
            assert!(pair[0].code < pair[1].code);
        }
        for code in DRIFT {
            assert_eq!(code.family, Family::Drift, "{}", code.code);
            assert_eq!(kind_of(code.code), Kind::Drift);
            assert!(!is_input_code(code.code));
        }
    }

    #[test]
    fn only_the_loader_and_the_config_reader_say_an_input_did_not_load() {
        assert!(is_input_code(YAML_SYNTAX.code) && is_input_code(INVALID_CONFIG.code));
        for code in [
            MISSING_ANSWER.code,
            EXPIRED_SUPPRESSION.code,
            "S001",
            "X999",
        ] {
            assert!(!is_input_code(code), "{code}");
        }
    }
}
