//! One finding per cause. Findings of one rule that share a cause are reported once,
//! naming every interaction they affect (`Finding::affected`):
//!
//! - a shared value: the value is written once, in the file's `defaults` or a YAML anchor,
//!   and reported where it is written (the same location, outside each interaction);
//! - one anchor: a setting missing from a `uses` block taken whole from a YAML alias
//!   (`uses: *mongo`): the gap is in the anchor, whoever the callers are;
//! - one caller's client: a setting missing on every call of one service over one protocol
//!   (no timeout, no pool, no breaker, no metrics, no rate limit at an entry point);
//! - one channel: a dead-letter queue, bound or time-to-live missing on a named queue or
//!   topic that several interactions use;
//! - one file: metrics missing on calls of one file, whoever makes them: exporting the
//!   seed's metrics is a convention the file's `defaults:` sets once;
//! - no call of the file has it: a circuit breaker that not one call of the file has, in
//!   any form: the file has no such convention yet;
//! - one unguarded callee: a service that several callers call without a circuit breaker;
//! - one caller's decision: calls of one caller declared with one pattern, whose answers
//!   lead the flowchart to the same other pattern (five reads of one front end, each
//!   declared `sync` where the flowchart asks for caching): one design choice, made once;
//! - one operation: the steps of one caller's operation that together write without a
//!   saga, transaction or outbox;
//! - one outbox: the messages a caller keeps in an outbox published only once after the
//!   commit, whatever the operation (a service's outbox has one publisher);
//! - one producer and consumer: ordered messages one service sends another over several
//!   channels, which nothing orders against each other.
//!
//! Grouping runs after suppressions and the baseline are applied, so both still work per
//! interaction: a suppressed member is left out of its group and reported alone, as
//! suppressed. A group needs two unsuppressed members; one alone is left as it is.

use crate::finding::{Affected, Finding, Location, Related};
use crate::model::{fields, InteractionDecl, Model};
use std::borrow::Cow;
// Keyed by the file's own ids, codes and positions; no output depends on their order.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

/// Rules whose finding says that a caller's client lacks a setting: one cause per caller
/// and protocol, however many calls it makes.
/// Members must also carry the same label (what was found), so two different gaps of one
/// rule (an unbounded retry and one without backoff) stay apart.
const CALLER_CLIENT: &[&str] = &["S001", "S003", "S004", "S006"];

/// Rules whose finding is a convention of the whole file: one cause per file.
const FILE_WIDE: &[&str] = &["O001"];

/// Rules whose gap is the file's when no call of the file closes it: where not one call
/// has a circuit breaker, whether written or a declared stack's default, the file has no
/// such convention, and one finding says so instead of one per caller. A file where some
/// calls have one keeps the per-caller causes. (A missing timeout is not grouped so: its
/// severity follows each call's path, and a file-wide group would hide the worst.)
const FILE_WHEN_NONE: &[&str] = &["S004"];

/// Rules whose gap leaves one callee unguarded from several callers: where two or more
/// services call one callee without a circuit breaker, its outage trips none of them, and
/// that is one finding about the callee (breakers are configured per downstream); a call
/// into a callee only one caller leaves unguarded keeps the caller's cause.
const CALLEE_UNGUARDED: &[&str] = &["S004"];

/// Rules whose finding is a caller's design choice against the flowchart: one cause per
/// caller, declared pattern and set of answers (the same answers give the same path).
const CALLER_DECISION: &[&str] = &["D001"];

/// Rules whose finding is about traffic entering at the caller: one cause per entry point,
/// whatever the protocol of each route.
const ENTRY_POINT: &[&str] = &["R001"];

/// Rules whose finding is about the queue or topic an interaction uses.
const CHANNEL: &[&str] = &["A001", "A002", "A003"];

/// Rules whose finding is about an operation of several steps (`operation.name`): each
/// step's finding already names the whole operation.
const OPERATION: &[&str] = &["G011", "G012"];

/// Rules whose finding is about how a caller's outbox is published: one cause per caller.
const OUTBOX: &[&str] = &["G013"];

/// Rules whose finding is about what one producer sends one consumer, over several
/// interactions: one cause per producer and consumer.
const PAIR: &[&str] = &["G016"];

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Cause {
    /// The rule, where the value is written, and the label (what was found there).
    Shared(&'static str, Location, Option<Cow<'static, str>>),
    /// The rule, the caller, the protocol and the label.
    Caller(&'static str, String, String, Option<Cow<'static, str>>),
    /// The rule, the label, the file and the anchor's name (taken whole or merged).
    Alias(&'static str, Option<Cow<'static, str>>, usize, String),
    /// The rule and the entry point.
    Entry(&'static str, String),
    Channel(&'static str, String),
    /// The rule, the file and the label.
    File(&'static str, usize, Option<Cow<'static, str>>),
    /// The rule and the callee that several callers leave unguarded.
    Callee(&'static str, String),
    /// The rule, the file and the label: no call of the file has the setting.
    FileNone(&'static str, usize, Option<Cow<'static, str>>),
    /// The rule, the caller, the declared pattern and answers, and the label.
    Decision(&'static str, String, String, Option<Cow<'static, str>>),
    /// The rule, the caller and the operation's name.
    Operation(&'static str, String, String),
    /// The rule and the caller whose outbox it is.
    Outbox(&'static str, String),
    /// The rule, the producer and the consumer.
    Pair(&'static str, String, String),
}

/// Merges the findings that share a cause; every other finding is kept as it is.
pub fn group(model: &Model, findings: Vec<Finding>) -> Vec<Finding> {
    let decls: Decls = model
        .interactions
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id(), (i, d)))
        .collect();
    let summaries: HashMap<&str, &str> = crate::rules::registry()
        .into_iter()
        .map(|r| (r.code, r.summary))
        .collect();
    let mut texts = Texts {
        lacking: files_lacking(model),
        unguarded: callees_unguarded(&decls, &findings),
        shared: shared_values(model, &decls, &findings),
        ..Texts::default()
    };
    let causes: Vec<Option<Cause>> = findings
        .iter()
        .map(|f| cause_of(model, &decls, &mut texts, f))
        .collect();
    let mut members: HashMap<&Cause, Vec<usize>> = HashMap::new();
    for (index, cause) in causes.iter().enumerate() {
        if let Some(cause) = cause {
            members.entry(cause).or_default().push(index);
        }
    }
    // A gap in a shared anchor found on one of its users only: reported where it is, with
    // the anchor's other users named in the help, so the fix is not made blind.
    let lone_aliases: HashMap<usize, (usize, String)> = members
        .iter()
        .filter(|(_, list)| list.len() == 1)
        .filter_map(|(cause, list)| match cause {
            Cause::Alias(_, _, file, anchor) => Some((list[0], (*file, anchor.clone()))),
            _ => None,
        })
        .collect();
    members.retain(|_, list| list.len() > 1);
    let mut findings = findings;
    for (&index, (file, anchor)) in &lone_aliases {
        note_shared_anchor(model, &mut texts, *file, anchor, &mut findings[index]);
    }
    if members.is_empty() {
        return findings;
    }
    // Each group takes the place of its first member; the other members are dropped.
    let mut leader: HashMap<usize, &Cause> = HashMap::new();
    let mut merged: HashSet<usize> = HashSet::new();
    for (cause, list) in &members {
        leader.insert(list[0], cause);
        merged.extend(list.iter().copied());
    }
    // The kept findings are moved down within the one list (a group's members all come
    // at or after its first, so every slot written to has been read): no second list of
    // every finding at the run's peak of memory.
    let mut slots: Vec<Option<Finding>> = findings.into_iter().map(Some).collect();
    let mut kept = 0;
    for index in 0..slots.len() {
        let finding = if let Some(cause) = leader.get(&index) {
            let list = &members[cause];
            let group: Vec<Finding> = list.iter().filter_map(|&i| slots[i].take()).collect();
            let summary = summaries.get(cause.code()).copied().unwrap_or("");
            Some(merge(model, &decls, &mut texts, cause, summary, group))
        } else if !merged.contains(&index) {
            slots[index].take()
        } else {
            None
        };
        if finding.is_some() {
            slots[kept] = finding;
            kept += 1;
        }
    }
    slots.truncate(kept);
    // Every slot left holds a finding; `map_while` keeps the list's allocation.
    slots.into_iter().map_while(|f| f).collect()
}

/// Each interaction by id, with its place in declaration order.
type Decls<'m> = HashMap<&'m str, (usize, &'m InteractionDecl)>;

impl Cause {
    fn code(&self) -> &'static str {
        match self {
            Cause::Shared(code, ..)
            | Cause::Caller(code, ..)
            | Cause::Alias(code, ..)
            | Cause::Entry(code, _)
            | Cause::Channel(code, _)
            | Cause::File(code, ..)
            | Cause::FileNone(code, ..)
            | Cause::Callee(code, _)
            | Cause::Decision(code, ..)
            | Cause::Operation(code, ..)
            | Cause::Outbox(code, _)
            | Cause::Pair(code, ..) => code,
        }
    }
}

fn cause_of(model: &Model, decls: &Decls, texts: &mut Texts, f: &Finding) -> Option<Cause> {
    if f.suppressed.is_some() || crate::codes::is_input_code(f.code) {
        return None;
    }
    let (_, decl) = decls.get(f.interaction.as_deref()?)?;
    if OPERATION.contains(&f.code) {
        let name = decl.interaction.operation.as_ref()?.name.clone();
        return Some(Cause::Operation(
            f.code,
            decl.interaction.from.clone(),
            name,
        ));
    }
    if OUTBOX.contains(&f.code) {
        return Some(Cause::Outbox(f.code, decl.interaction.from.clone()));
    }
    if PAIR.contains(&f.code) {
        return Some(Cause::Pair(
            f.code,
            decl.interaction.from.clone(),
            decl.interaction.to.clone(),
        ));
    }
    let location = f.location.as_ref()?;
    if FILE_WIDE.contains(&f.code) {
        return Some(Cause::File(f.code, decl.origin.file, f.label.clone()));
    }
    if FILE_WHEN_NONE.contains(&f.code) && texts.lacking.contains(&(f.code, decl.origin.file)) {
        return Some(Cause::FileNone(f.code, decl.origin.file, f.label.clone()));
    }
    if CALLEE_UNGUARDED.contains(&f.code) && texts.unguarded.contains(decl.interaction.to.as_str())
    {
        return Some(Cause::Callee(f.code, decl.interaction.to.clone()));
    }
    if !inside(model, decl, location)
        || texts
            .shared
            .contains(&(f.code, location.clone(), f.label.clone()))
    {
        // A value in a shared block, or in an interaction's own block that others take
        // through an alias: one cause, for its owner as for the takers.
        return Some(Cause::Shared(f.code, location.clone(), f.label.clone()));
    }
    // A rate limit belongs to where traffic enters, not to a block internal calls share.
    if ENTRY_POINT.contains(&f.code) {
        return Some(Cause::Entry(f.code, decl.interaction.from.clone()));
    }
    if let Some(anchor) = texts.alias_at(model, decl.origin.file, location) {
        return Some(Cause::Alias(
            f.code,
            f.label.clone(),
            decl.origin.file,
            anchor,
        ));
    }
    let uses = decl.uses();
    if CALLER_CLIENT.contains(&f.code) {
        // Calls of one pattern over one protocol go through one client.
        let pattern = uses.pattern.map_or("", |p| p.as_str());
        let protocol = match &uses.protocol {
            Some(protocol) => format!("{pattern} {protocol}"),
            None => pattern.to_string(),
        };
        return Some(Cause::Caller(
            f.code,
            decl.interaction.from.clone(),
            protocol,
            f.label.clone(),
        ));
    }
    if CALLER_DECISION.contains(&f.code) {
        let declared = uses.pattern.map_or("", |p| p.as_str());
        let answers = format!("{declared} {:?}", decl.interaction.needs);
        return Some(Cause::Decision(
            f.code,
            decl.interaction.from.clone(),
            answers,
            f.label.clone(),
        ));
    }
    if CHANNEL.contains(&f.code) {
        // Without a name, two queues to one consumer may be two queues.
        let channel = uses.channel.clone()?;
        return Some(Cause::Channel(f.code, channel));
    }
    None
}

/// Whether `location` lies in the interaction's own lines (not in a shared block).
fn inside(model: &Model, decl: &InteractionDecl, location: &Location) -> bool {
    let own_file = model.files[decl.origin.file].path == location.file;
    let lines = model.line_range(&decl.origin);
    own_file && lines.is_some_and(|(first, last)| (first..=last).contains(&location.line))
}

/// One finding for `group` (at least two members, in the order they were found).
fn merge(
    model: &Model,
    decls: &Decls,
    texts: &mut Texts,
    cause: &Cause,
    summary: &str,
    mut group: Vec<Finding>,
) -> Finding {
    // Members in declaration order, so the output does not depend on rule order.
    group.sort_by_cached_key(|f| {
        let id = f.interaction.as_deref().unwrap_or("");
        (decls.get(id).map_or(usize::MAX, |d| d.0), f.message.clone())
    });
    let ids: Vec<&str> = group
        .iter()
        .filter_map(|f| f.interaction.as_deref())
        .collect();
    let listed = list_ids(&ids);
    let first = &group[0];
    let (location, subject, change) = describe(model, texts, cause, first);
    let message = match cause {
        // Each member's message names the whole operation, or every channel, already.
        Cause::Operation(..) | Cause::Pair(..) => first.message.clone(),
        _ => format!(
            "{summary}: {subject}, shared by {} interactions: {listed}",
            group.len()
        ),
    };
    let help = match &first.help {
        Some(h) => format!("{change}; {h}"),
        None => change,
    };
    let worst = group
        .iter()
        .max_by_key(|f| f.risk_key())
        .map(|f| (f.severity, f.impact.clone()));
    let (severity, impact) = worst.unwrap_or((first.severity, None));
    let mut seen: HashSet<(Location, String)> = HashSet::new();
    let mut related = Vec::new();
    let mut affected = Vec::with_capacity(group.len());
    for member in &group {
        let own = member.location.clone();
        let elsewhere = own.is_some() && own != location;
        if elsewhere {
            if let (Some(at), Some(id)) = (&own, &member.interaction) {
                related.push(Related {
                    location: at.clone(),
                    message: format!("in interaction `{id}`"),
                });
            }
        }
        for r in &member.related {
            if seen.insert((r.location.clone(), r.message.clone())) {
                related.push(r.clone());
            }
        }
        let shown = if elsewhere {
            own.clone()
        } else {
            member
                .interaction
                .as_deref()
                .and_then(|id| decls.get(id))
                .map(|(_, d)| model.at(&d.origin, fields::ID))
                .or_else(|| own.clone())
        };
        affected.push(Affected {
            interaction: member.interaction.clone(),
            service: member.service.clone(),
            severity: member.severity,
            message: member.message.clone(),
            location: shown,
            reported_at: own,
        });
    }
    let label = match cause {
        Cause::Caller(..) => Some(Cow::Borrowed("the caller of every interaction listed")),
        Cause::Entry(..) => Some(Cow::Borrowed("where every interaction listed enters")),
        _ => first.label.clone(),
    };
    Finding {
        severity,
        message,
        label,
        help: Some(Cow::Owned(help)),
        location,
        related,
        impact,
        affected,
        ..group.swap_remove(0)
    }
}

/// Where the group is reported, the cause in words, and where to change it.
fn describe(
    model: &Model,
    texts: &mut Texts,
    cause: &Cause,
    first: &Finding,
) -> (Option<Location>, String, String) {
    match cause {
        Cause::Shared(_, at, _) => (
            Some(at.clone()),
            format!("one value written at {at}"),
            format!("change it once at {at}: every interaction listed takes it from there"),
        ),
        Cause::Alias(_, _, file, anchor) => {
            let at = texts.anchor(model, *file, anchor).0.or_else(|| first.location.clone());
            (
                at,
                format!("the block `&{anchor}`, which every call listed takes its settings from"),
                format!("add it once to the anchor `&{anchor}`: every interaction listed takes its settings from there"),
            )
        }
        Cause::Entry(_, from) => (
            service_location(model, from).or_else(|| first.location.clone()),
            format!("entry point `{from}`"),
            format!("set it once at `{from}`, where every interaction listed enters"),
        ),
        Cause::Caller(_, from, protocol, _) => {
            let client = if protocol.is_empty() {
                format!("the client of `{from}`")
            } else {
                format!("the {} client of `{from}`", protocol.trim())
            };
            let at = service_location(model, from).or_else(|| first.location.clone());
            let subject = match &first.label {
                Some(label) => format!("{label} on {client}"),
                None => client.clone(),
            };
            (
                at,
                subject,
                format!(
                    "set it once for every call of {client} (a YAML anchor or the file's `defaults:`) or on each call listed"
                ),
            )
        }
        Cause::Channel(_, channel) => (
            first.location.clone(),
            format!("channel `{channel}`"),
            format!("configure it once on `{channel}`, which every interaction listed uses"),
        ),
        Cause::File(_, file, label) => {
            let what = label.as_deref().unwrap_or("the setting");
            (
                defaults_location(model, *file).or_else(|| first.location.clone()),
                format!("{what} in the file's `defaults:` nor on the calls listed"),
                "set it once in the file's `defaults:` (every interaction of the file takes it from there), or on each call listed".to_string(),
            )
        }
        Cause::Callee(_, to) => (
            service_location(model, to).or_else(|| first.location.clone()),
            format!("no caller of `{to}` listed has one, so an outage of `{to}` trips none of them"),
            format!("give each call listed a breaker for `{to}` (one breaker configuration per downstream, shared through an anchor)"),
        ),
        Cause::FileNone(code, file, _) => {
            let setting = match *code {
                "S004" => "circuit breaker",
                _ => "setting",
            };
            (
                defaults_location(model, *file).or_else(|| first.location.clone()),
                format!("not one call of the file has a {setting}, neither in its `defaults:` nor on a call nor from a declared client's default"),
                format!("decide the {setting} once for the file, in its `defaults:` or a shared anchor, then tune the calls listed that need their own"),
            )
        }
        Cause::Decision(_, from, ..) => (
            first.location.clone(),
            format!("calls of `{from}` with the same answers and the same declared pattern"),
            format!("the same answers give every call listed the same recommendation: decide once for these calls of `{from}`"),
        ),
        Cause::Operation(_, from, name) => (
            first.location.clone(),
            format!("operation `{name}` of `{from}`"),
            format!("one fix for every step of `{name}` listed"),
        ),
        Cause::Pair(_, from, to) => (
            first.location.clone(),
            format!("what `{from}` sends `{to}`"),
            format!("one channel, or one order kept by `{to}`, for every interaction listed"),
        ),
        Cause::Outbox(_, from) => (
            first.location.clone(),
            format!("the outbox of `{from}`, published once after each commit with no relay"),
            format!("one relay for `{from}`'s outbox publishes every message listed"),
        ),
    }
}

/// Adds to `finding`'s help that its `uses:` takes the block `&anchor`, where the gap is,
/// when other `uses` blocks take it too: changing the anchor changes all of them.
fn note_shared_anchor(
    model: &Model,
    texts: &mut Texts,
    file: usize,
    anchor: &str,
    finding: &mut Finding,
) {
    let Some(source) = model.files.get(file) else {
        return;
    };
    let (defined_at, users) = texts.anchor(model, file, anchor);
    if users < 2 {
        return;
    }
    let at = defined_at.map(|l| format!(" ({l})")).unwrap_or_default();
    // What the finding's `uses:` key holds: the alias, a merge, or the anchor itself.
    let value = finding
        .location
        .as_ref()
        .and_then(|l| texts.uses_value(&source.text, file, l))
        .unwrap_or("");
    let note = if value.starts_with('&') {
        format!(
            "this `uses:` block is the anchor `&{anchor}`, which {users} `uses:` blocks take: a value added here changes each of them"
        )
    } else {
        let here = if value.starts_with('*') {
            format!("write `uses: {{ <<: *{anchor}, … }}` here")
        } else {
            format!("add it beside `<<: *{anchor}` here")
        };
        format!(
            "this `uses:` takes the block `&{anchor}`{at}, which {users} `uses:` blocks take: add it to the anchor to change all of them, or {here} to change this interaction only"
        )
    };
    finding.help = Some(Cow::Owned(match finding.help.take() {
        Some(help) => format!("{help}; {note}"),
        None => note,
    }));
}

/// Per anchor of one file: where `&anchor` is first defined and how many `uses:` blocks
/// take it. Read in one pass over the file for all its anchors: a scan per anchor made a
/// file with many anchors quadratic.
#[derive(Default)]
struct AnchorIndex {
    defined: HashMap<String, Location>,
    users: HashMap<String, usize>,
}

impl AnchorIndex {
    fn of(source: &crate::model::SourceFile) -> AnchorIndex {
        let mut index = AnchorIndex::default();
        for (number, line) in (1u32..).zip(source.text.split('\n')) {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if let Some(name) = alias_taken_by_uses(line) {
                *index.users.entry(name).or_default() += 1;
            }
            // Characters before byte `counted` of the line, counted as the scan goes, so
            // that many anchors on one long line cost the line once.
            let (mut counted, mut chars_before) = (0, 0);
            for (at, _) in line.match_indices('&') {
                // An anchor starts a word: `key: &name`, `- &name`, `[&name`. Looking only
                // there keeps the pass linear on a line of `&&&…`.
                let starts_word = line[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| c.is_whitespace() || ",[{".contains(c));
                if !starts_word {
                    continue;
                }
                // `&name` followed by a space or the end of the line defines `name`.
                let rest = &line[at + 1..];
                let end = rest.find(|c| !is_name_char(c)).unwrap_or(rest.len());
                let name = &rest[..end];
                let defines = rest[end..].chars().next().is_none_or(char::is_whitespace);
                if name.is_empty() || !defines || index.defined.contains_key(name) {
                    continue;
                }
                chars_before += line[counted..at].chars().count();
                counted = at;
                let Some(location) = anchor_location(source, number, chars_before, name) else {
                    continue;
                };
                index.defined.insert(name.to_string(), location);
            }
        }
        index
    }
}

/// The anchor a line's `uses:` block takes whole (`uses: *anchor`) or merges
/// (`<<: *anchor`), as written on that line.
fn alias_taken_by_uses(line: &str) -> Option<String> {
    let line = line.trim_start().trim_start_matches("- ");
    let rest = line
        .strip_prefix("uses:")
        .or_else(|| line.strip_prefix("<<:"))
        .map(str::trim_start)?;
    let rest = rest.strip_prefix('{').map_or(rest, |r| {
        r.trim_start().strip_prefix("<<:").unwrap_or(r).trim_start()
    });
    anchor_name(rest.strip_prefix('*')?)
}

fn is_name_char(c: char) -> bool {
    !c.is_whitespace() && !",[]{}#".contains(c)
}

/// The `defaults:` key of `file`, where a file-wide setting is written.
fn defaults_location(model: &Model, file: usize) -> Option<Location> {
    let source = model.files.get(file)?;
    let spans = source.spans.as_ref()?;
    spans.get("/defaults")?;
    Some(source.mapping_location(spans, "/defaults"))
}

fn service_location(model: &Model, name: &str) -> Option<Location> {
    model.service(name).map(|s| model.locate(&s.origin, ""))
}

/// `a, b, c`, or the first ids and how many more (the `affected` list and the related
/// locations name them all).
fn list_ids(ids: &[&str]) -> String {
    crate::finding::named_list(ids.iter().map(|id| format!("`{id}`")))
}

/// A non-ASCII line keeps the byte offset of one character in this many: finding a
/// column scans at most this many characters, for 8 bytes per this many kept.
const CHECKPOINT: usize = 256;

/// Line starts of the files looked at, computed once per file.
#[derive(Default)]
struct Texts {
    lines: HashMap<usize, Vec<usize>>,
    /// Per file and line that is not ASCII, the byte offset of every `CHECKPOINT`th
    /// character (`None`: an ASCII line, where the column is the offset).
    chars: HashMap<(usize, usize), Option<Vec<usize>>>,
    /// Per file: where each anchor is defined and how many `uses:` blocks take it.
    anchors: HashMap<usize, AnchorIndex>,
    /// The files where no call has the setting of a `FILE_WHEN_NONE` rule, per rule.
    lacking: HashSet<(&'static str, usize)>,
    /// The callees that two or more callers call without the setting of a
    /// `CALLEE_UNGUARDED` rule.
    unguarded: HashSet<String>,
    /// Rule, location and label of the findings that point outside their interaction, at
    /// a value written once for several.
    shared: HashSet<SharedValue>,
}

type SharedValue = (&'static str, Location, Option<Cow<'static, str>>);

/// The values findings point at from outside their own interaction (in `defaults`, an
/// anchor, or another interaction's block that they take through an alias).
fn shared_values(model: &Model, decls: &Decls, findings: &[Finding]) -> HashSet<SharedValue> {
    findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .filter_map(|f| {
            let (_, decl) = decls.get(f.interaction.as_deref()?)?;
            let location = f.location.as_ref()?;
            (!inside(model, decl, location)).then(|| (f.code, location.clone(), f.label.clone()))
        })
        .collect()
}

/// The callees of unsuppressed `CALLEE_UNGUARDED` findings that come from two or more
/// callers.
fn callees_unguarded(decls: &Decls, findings: &[Finding]) -> HashSet<String> {
    let mut callers: HashMap<&str, HashSet<&str>> = HashMap::new();
    for f in findings {
        if !CALLEE_UNGUARDED.contains(&f.code) || f.suppressed.is_some() {
            continue;
        }
        if let Some((_, decl)) = f.interaction.as_deref().and_then(|id| decls.get(id)) {
            let i = &decl.interaction;
            callers
                .entry(i.to.as_str())
                .or_default()
                .insert(i.from.as_str());
        }
    }
    callers
        .into_iter()
        .filter(|(_, from)| from.len() > 1)
        .map(|(to, _)| to.to_string())
        .collect()
}

/// For each `FILE_WHEN_NONE` rule, the files of `model` in which not one interaction has
/// that rule's setting in effect (written, shared, or a declared stack's default).
fn files_lacking(model: &Model) -> HashSet<(&'static str, usize)> {
    use crate::stacks::effective;
    let mut guarded = vec![false; model.files.len()];
    for decl in &model.interactions {
        let file = decl.origin.file;
        if guarded.get(file) != Some(&false) {
            continue;
        }
        let stacks = effective::stacks(model, decl);
        guarded[file] = effective::breaker(model, decl, &stacks).is_some();
    }
    (0..model.files.len())
        .filter(|&file| !guarded[file])
        .map(|file| ("S004", file))
        .collect()
}

impl Texts {
    /// The anchor a `uses:` key at `location` takes its settings from: the whole block
    /// (`uses: *name`) or a merge (`<<: *name` in the block).
    fn alias_at(&mut self, model: &Model, file: usize, location: &Location) -> Option<String> {
        let source = model.files.get(file)?;
        if source.path != location.file {
            return None;
        }
        let text = source.text.as_str();
        let value = self.uses_value(text, file, location)?;
        let index = usize::try_from(location.line).ok()? - 1;
        let indent = usize::try_from(location.column).ok()? - 1;
        let starts = &self.lines[&file];
        // `uses: *name` takes the anchor whole; `uses: &name` is the anchor, defined in this
        // interaction's own block: the gap is the same one for every taker.
        if let Some(name) = value.strip_prefix('*').or_else(|| value.strip_prefix('&')) {
            return anchor_name(name);
        }
        if let Some(inner) = value.strip_prefix('{') {
            let merged = inner.trim_start().strip_prefix("<<:")?.trim_start();
            return anchor_name(merged.strip_prefix('*')?);
        }
        if !(value.is_empty() || value.starts_with('#')) {
            return None;
        }
        // A block: its keys are the next lines indented deeper than `uses`.
        for next in (index + 1..index + 65).map_while(|i| line_at(text, starts, i)) {
            let trimmed = next.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if next.len() - trimmed.len() <= indent {
                return None;
            }
            if let Some(merged) = trimmed.strip_prefix("<<:") {
                return anchor_name(merged.trim_start().strip_prefix('*')?);
            }
        }
        None
    }

    /// The text of `file` from the 0-based `column` (in characters) of the 0-based line
    /// `index` to the end of that line. Line starts are found once per file and a line's
    /// character checkpoints once per line that is not ASCII, so that many findings on one
    /// long line (a whole list written in flow style) do not each scan it.
    fn rest_of_line<'t>(
        &mut self,
        text: &'t str,
        file: usize,
        index: usize,
        column: usize,
    ) -> Option<&'t str> {
        let starts = self.lines.entry(file).or_insert_with(|| line_starts(text));
        let line = line_at(text, starts, index)?;
        let checkpoints = self.chars.entry((file, index)).or_insert_with(|| {
            (!line.is_ascii()).then(|| {
                line.char_indices()
                    .step_by(CHECKPOINT)
                    .map(|(i, _)| i)
                    .collect()
            })
        });
        let from = match checkpoints {
            None => column,
            Some(checkpoints) => {
                let from = *checkpoints.get(column / CHECKPOINT)?;
                from + line[from..].char_indices().nth(column % CHECKPOINT)?.0
            }
        };
        line.get(from..).filter(|rest| !rest.is_empty())
    }

    /// What the `uses:` key at `location` holds on its own line (`*name`, `&name`, `{ <<:
    /// *name, … }`, or nothing for a block below), or `None` when no `uses` key is there.
    fn uses_value<'t>(
        &mut self,
        text: &'t str,
        file: usize,
        location: &Location,
    ) -> Option<&'t str> {
        let index = usize::try_from(location.line).ok()?.checked_sub(1)?;
        let column = usize::try_from(location.column).ok()?.checked_sub(1)?;
        let rest = self.rest_of_line(text, file, index, column)?;
        let rest = rest.strip_prefix("uses")?.trim_start();
        Some(rest.strip_prefix(':')?.trim_start())
    }

    /// Where `&anchor` is defined in `file` and how many `uses:` blocks take it, read
    /// once per file for all its anchors.
    fn anchor(&mut self, model: &Model, file: usize, anchor: &str) -> (Option<Location>, usize) {
        let Some(source) = model.files.get(file) else {
            return (None, 0);
        };
        let index = self
            .anchors
            .entry(file)
            .or_insert_with(|| AnchorIndex::of(source));
        (
            index.defined.get(anchor).cloned(),
            index.users.get(anchor).copied().unwrap_or(0),
        )
    }
}

/// The 0-based line `index` of `text`, given its line starts, without the line break.
fn line_at<'t>(text: &'t str, starts: &[usize], index: usize) -> Option<&'t str> {
    let start = *starts.get(index)?;
    let end = starts.get(index + 1).map_or(text.len(), |next| next - 1);
    let line = text.get(start..end)?;
    Some(line.strip_suffix('\r').unwrap_or(line))
}

/// The anchor name at the start of `text` (after its `*`).
fn anchor_name(text: &str) -> Option<String> {
    let name: String = text
        .chars()
        .take_while(|c| !c.is_whitespace() && !",[]{}#".contains(*c))
        .collect();
    (!name.is_empty()).then_some(name)
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// The location of `&name`, written on line `number` of `source` after `chars_before`
/// characters.
fn anchor_location(
    source: &crate::model::SourceFile,
    number: u32,
    chars_before: usize,
    name: &str,
) -> Option<Location> {
    let column = u32::try_from(chars_before + 1).ok()?;
    let width = u32::try_from(name.chars().count() + 1).ok()?;
    Some(Location {
        file: source.path.clone(),
        line: number,
        column,
        end_line: number,
        end_column: column + width,
    })
}
