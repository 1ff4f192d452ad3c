//! `M` codes: problems with the file itself, reported by the loader.

use super::{Family, RuleInfo};
use crate::finding::Severity;

macro_rules! model_rule {
    ($ident:ident, $code:literal, $name:literal, $summary:literal, $doc:expr) => {
        pub static $ident: RuleInfo = RuleInfo {
            code: $code,
            name: $name,
            family: Family::Model,
            severity: Severity::Error,
            summary: $summary,
            doc: $doc,
        };
    };
}

model_rule!(
    YAML_SYNTAX,
    "M001",
    "yaml-syntax",
    "The file is not valid YAML",
    r#"## What it checks
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
"#
);

model_rule!(
    UNKNOWN_KEY,
    "M002",
    "unknown-key",
    "A key that the file format does not define",
    r#"## What it checks
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
"#
);

model_rule!(
    WRONG_TYPE,
    "M003",
    "wrong-type",
    "A value of the wrong type",
    r#"## What it checks
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
"#
);

model_rule!(
    INVALID_VALUE,
    "M004",
    "invalid-value",
    "A value outside the allowed set or range",
    r#"## What it checks
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
"#
);

model_rule!(
    MISSING_FIELD,
    "M005",
    "missing-field",
    "A required field is missing",
    r#"## What it checks
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
"#
);

model_rule!(
    DUPLICATE_KEY,
    "M006",
    "duplicate-key",
    "The same key twice in one mapping",
    r#"## What it checks
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
"#
);

model_rule!(
    UNKNOWN_SERVICE,
    "M007",
    "unknown-service",
    "`from` or `to` names no service",
    r#"## What it checks
That each interaction's `from` and `to` name a service defined under `services`.

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
"#
);

model_rule!(
    DUPLICATE_ID,
    "M008",
    "duplicate-interaction-id",
    "Two interactions share an id",
    r#"## What it checks
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
"#
);

model_rule!(
    BAD_VERSION,
    "M009",
    "unsupported-version",
    "`version` is missing or not 1",
    r#"## What it checks
That the file declares `version: 1`, the only version of the format.

## Why
The version tells commsplan (and future versions of it) how to read the file.

## Example
```yaml
version: 2
```

## Fix
Write `version: 1` at the top of the file.
"#
);

model_rule!(
    INVALID_ID,
    "M010",
    "invalid-id",
    "An interaction id with characters outside `[a-z0-9][a-z0-9-_.]*`",
    r#"## What it checks
Interaction ids: lower-case letters, digits, `-`, `_` and `.`, starting with a letter or digit.

## Why
Ids end up in file names, metric labels, SARIF fingerprints and command lines.

## Example
```yaml
- id: Reserve Stock
```

## Fix
Write the id in kebab-case: `reserve-stock`.
"#
);

model_rule!(
    MISSING_REASON,
    "M012",
    "suppression-without-reason",
    "A suppression without a reason",
    r#"## What it checks
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
"#
);

model_rule!(
    LIMIT,
    "M013",
    "input-limit",
    "The input exceeds a safety limit",
    r#"## What it checks
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
"#
);

model_rule!(
    ENCODING,
    "M014",
    "invalid-encoding",
    "The file is not UTF-8 text",
    r#"## What it checks
That the file is UTF-8 (a byte-order mark is allowed) and contains no control characters
that YAML forbids.

## Why
YAML is defined on Unicode text; a file saved as Latin-1 or a binary file cannot be read
reliably.

## Example
A file saved in Latin-1 with `owner: équipe` in it.

## Fix
Save the file as UTF-8.
"#
);

model_rule!(
    EMPTY,
    "M015",
    "empty-file",
    "The file holds no document",
    r#"## What it checks
That the file is not empty (or only comments).

## Why
An empty file is usually a failed generation step or a wrong path.

## Example
An empty `system.yaml`.

## Fix
Start from `commsplan init`.
"#
);

model_rule!(
    DUPLICATE_SERVICE,
    "M016",
    "duplicate-service",
    "A service defined in two of the files analysed together",
    r#"## What it checks
That a service name is defined once across all the files given to one run.

## Why
Two definitions of one service can disagree (kind, SLO); commsplan would have to pick one.

## Example
`order` defined both in `shop.yaml` and in `payments.yaml`.

## Fix
Define the service in one file; the other file can still refer to it.
"#
);

model_rule!(
    INVALID_INCLUDE,
    "M020",
    "invalid-include",
    "An `include` entry that cannot be followed",
    r#"## What it checks
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
"#
);

pub static ALL: [&RuleInfo; 16] = [
    &YAML_SYNTAX,
    &UNKNOWN_KEY,
    &WRONG_TYPE,
    &INVALID_VALUE,
    &MISSING_FIELD,
    &DUPLICATE_KEY,
    &UNKNOWN_SERVICE,
    &DUPLICATE_ID,
    &BAD_VERSION,
    &INVALID_ID,
    &MISSING_REASON,
    &LIMIT,
    &ENCODING,
    &EMPTY,
    &DUPLICATE_SERVICE,
    &INVALID_INCLUDE,
];
