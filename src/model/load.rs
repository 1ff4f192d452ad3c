//! The one loading boundary: files in, a [`Model`] and located findings out.

use super::checks::{self, RawRef};
use super::prune::{prune, removed_suppressions, Invalid};
use super::types::{Interaction, Service, Suppression, Uses};
use super::yaml::{self, escape_pointer_token, Limits, ProblemKind};
use super::{include, InteractionDecl, Model, Origin, ServiceDecl, SourceFile, SuppressionDecl};
use crate::codes;
use crate::finding::{Finding, Location};
use crate::source_io::{Kind, ReadError};
use anyhow::Result;
use serde::Deserialize as _;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy)]
pub struct LoadOptions {
    /// Largest file read, in bytes.
    pub max_file_bytes: u64,
    pub limits: Limits,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_bytes: 256 * 1024 * 1024,
            limits: Limits::default(),
        }
    }
}

/// Reads every file, and the files they include. Problems in the files are findings;
/// only a path given on the command line that cannot be read at all is an error (exit
/// code 2). A file reached twice (given twice, or included from two places) is read once.
pub fn load(paths: &[impl AsRef<Path>], options: &LoadOptions) -> Result<(Model, Vec<Finding>)> {
    let mut loader = Loader {
        model: Model::default(),
        findings: Vec::new(),
        refs: Vec::new(),
        options,
        read: HashSet::new(),
        included: 0,
        defaults: HashMap::new(),
    };
    for path in paths {
        let path = path.as_ref();
        let bytes = read_limited(path, options.max_file_bytes)?;
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if !loader.read.insert(canonical.clone()) {
            continue;
        }
        let display = path.to_string_lossy().into_owned();
        let (file, entries) = loader.load_one(display, bytes, None);
        let root_dir = canonical.parent().unwrap_or(Path::new("")).to_path_buf();
        let mut chain = vec![Reading {
            canonical,
            file,
            entered_at: None,
        }];
        loader.follow(&mut chain, entries, &root_dir);
    }
    let Loader {
        model,
        mut findings,
        refs,
        ..
    } = loader;
    checks::references(&model, &refs, &mut findings);
    checks::copy_references(&model, &mut findings);
    checks::based_on_references(&model, &mut findings);
    Ok((model, findings))
}

struct Loader<'o> {
    model: Model,
    findings: Vec<Finding>,
    refs: Vec<RawRef>,
    options: &'o LoadOptions,
    /// The canonical path of every file read so far.
    read: HashSet<PathBuf>,
    /// How many of them were read through `include`.
    included: usize,
    /// By file: its own valid defaults merged over those of the file that includes it,
    /// for the files it includes in turn.
    defaults: HashMap<usize, Value>,
}

/// A file on the way from the command line to the file being read.
struct Reading {
    canonical: PathBuf,
    file: usize,
    /// The `include` entry that led here (none for the file given on the command line).
    entered_at: Option<Location>,
}

impl Loader<'_> {
    /// Reads what the entries of the last file in `chain` name, depth first in the order
    /// written, each file right after the file that includes it.
    fn follow(&mut self, chain: &mut Vec<Reading>, entries: Vec<include::Entry>, root_dir: &Path) {
        let Some(including) = chain.last() else {
            return;
        };
        let file = including.file;
        let including_path = PathBuf::from(&*self.model.files[file].path);
        let including_canonical = including.canonical.clone();
        for entry in entries {
            let at = self.entry_location(file, entry.index);
            let context = include::Including {
                path: &including_path,
                canonical: &including_canonical,
                root_dir,
            };
            let targets = match include::resolve(&entry.text, &context) {
                Ok(targets) => targets,
                Err(problem) => {
                    self.findings.push(include_problem(problem, at));
                    continue;
                }
            };
            for target in targets {
                if let Some(start) = chain.iter().position(|r| r.canonical == target.canonical) {
                    let finding = self.cycle(chain, start, &entry.text, at.clone());
                    self.findings.push(finding);
                    continue;
                }
                if self.read.contains(&target.canonical) {
                    continue;
                }
                if let Some(limit) = self.over_limit(chain, &at) {
                    self.findings.push(limit);
                    break;
                }
                let read = match read_limited(&target.path, self.options.max_file_bytes) {
                    Ok(read) => read,
                    Err(e) => {
                        let problem = include::Problem {
                            message: format!("cannot include `{}`: {e:#}", entry.text),
                            label: "cannot be read",
                            help: "check the file's permissions".into(),
                            limit: false,
                        };
                        self.findings.push(include_problem(problem, at.clone()));
                        continue;
                    }
                };
                self.read.insert(target.canonical.clone());
                self.included += 1;
                let (included, entries) = self.load_one(target.display, read, Some(file));
                chain.push(Reading {
                    canonical: target.canonical,
                    file: included,
                    entered_at: Some(at.clone()),
                });
                self.follow(chain, entries, root_dir);
                chain.pop();
            }
        }
    }

    fn entry_location(&self, file: usize, index: usize) -> Location {
        let source = &self.model.files[file];
        match &source.spans {
            Some(spans) => source.value_location(spans, &format!("/include/{index}")),
            None => source.start_location(),
        }
    }

    /// An entry that names a file already being read: the cycle, from the entry that
    /// starts it to the one that closes it.
    fn cycle(&self, chain: &[Reading], start: usize, entry: &str, at: Location) -> Finding {
        let names: Vec<String> = chain[start..]
            .iter()
            .map(|r| format!("`{}`", self.model.files[r.file].path))
            .chain(std::iter::once(format!(
                "`{}`",
                self.model.files[chain[start].file].path
            )))
            .collect();
        let message = if start + 1 == chain.len() {
            format!("`{entry}` includes this file itself")
        } else {
            format!("include cycle: {}", names.join(" → "))
        };
        let mut finding = Finding::new(&codes::INVALID_INCLUDE, message)
            .at(at)
            .label("closes the cycle")
            .help("remove the entry: a file cannot include the files that include it");
        if let Some(opening) = chain.get(start + 1).and_then(|r| r.entered_at.clone()) {
            finding = finding.related(opening, "the cycle starts here");
        }
        finding
    }

    /// Reading one more file would nest includes too deep or read too many files.
    fn over_limit(&self, chain: &[Reading], at: &Location) -> Option<Finding> {
        let message = if chain.len() > include::MAX_DEPTH {
            format!("includes are nested more than {} deep", include::MAX_DEPTH)
        } else if self.included >= include::MAX_FILES {
            format!("more than {} files are included", include::MAX_FILES)
        } else {
            return None;
        };
        let mut finding = Finding::new(&codes::LIMIT, message)
            .at(at.clone())
            .label("not read")
            .help("include the team files from one file instead of from each other");
        if let Some(first) = chain.get(1).and_then(|r| r.entered_at.clone()) {
            finding = finding.related(first, "the includes start here");
        }
        Some(finding)
    }
}

fn include_problem(problem: include::Problem, at: Location) -> Finding {
    let code = if problem.limit {
        &codes::LIMIT
    } else {
        &codes::INVALID_INCLUDE
    };
    Finding::new(code, problem.message)
        .at(at)
        .label(problem.label)
        .help(problem.help)
}

enum Read_ {
    Bytes(Vec<u8>),
    TooLarge(u64),
}

fn read_limited(path: &Path, max: u64) -> Result<Read_> {
    match crate::source_io::read_capped(path, max) {
        Ok(bytes) => Ok(Read_::Bytes(bytes)),
        Err(ReadError::TooLarge { size, .. }) => Ok(Read_::TooLarge(size)),
        Err(ReadError::NotRegular {
            kind: Kind::Directory,
        }) => anyhow::bail!(
            "{} is a directory; give the architecture files themselves",
            path.display()
        ),
        Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    }
}

impl Loader<'_> {
    /// Reads one file into the model: its index, and its `include` entries to follow.
    fn load_one(
        &mut self,
        path: String,
        read: Read_,
        included_by: Option<usize>,
    ) -> (usize, Vec<include::Entry>) {
        let index = self.model.files.len();
        let file = SourceFile {
            path: path.as_str().into(),
            text: String::new(),
            spans: None,
            interaction_ids: Vec::new(),
            included_by,
        };
        let Some(Document {
            file,
            doc,
            invalid,
            streamed,
        }) = self.read_document(file, read)
        else {
            return (index, Vec::new());
        };
        let entries = include::entries(&doc);
        self.model.files.push(file);
        let inherited = included_by.and_then(|parent| self.defaults.get(&parent));
        let defaults = extract(
            &mut self.model,
            &mut self.findings,
            &mut self.refs,
            Extracting {
                file: index,
                included: included_by.is_some(),
                inherited,
            },
            doc,
            invalid,
            streamed,
        );
        if let Some(defaults) = defaults {
            self.defaults.insert(index, defaults);
        }
        crate::timing::phase("extracted");
        (index, entries)
    }

    /// Decodes, parses and validates a file. A file that holds no document to extract is
    /// pushed to the model here, with its findings.
    fn read_document(&mut self, mut file: SourceFile, read: Read_) -> Option<Document> {
        let findings = &mut self.findings;
        let bytes = match read {
            Read_::TooLarge(size) => {
                findings.push(
                    Finding::new(
                        &codes::LIMIT,
                        format!(
                            "the file is {} MiB, over the limit of {} MiB",
                            size / (1024 * 1024),
                            self.options.max_file_bytes / (1024 * 1024)
                        ),
                    )
                    .at(file.start_location())
                    .help("split the system into several files and pass them all"),
                );
                self.model.files.push(file);
                return None;
            }
            Read_::Bytes(b) => b,
        };
        let text = match decode(bytes) {
            Ok(t) => t,
            Err((text_before, message)) => {
                let pos = end_pos(&text_before);
                findings.push(
                    Finding::new(&codes::ENCODING, message)
                        .at(file.location(yaml::Span::point(pos)))
                        .label("here")
                        .help("save the file as UTF-8 text"),
                );
                self.model.files.push(file);
                return None;
            }
        };
        file.text = text;
        crate::timing::phase("read");

        self.parse_document(file)
    }

    /// Parses and validates a decoded file. The items of its `interactions` list are
    /// validated and extracted as the parser completes each one, so that the whole
    /// document is never held; a file whose own `defaults` come after that list is
    /// parsed again whole, as its interactions take those defaults.
    fn parse_document(&mut self, mut file: SourceFile) -> Option<Document> {
        let index = self.model.files.len();
        let inherited = file
            .included_by
            .and_then(|parent| self.defaults.get(&parent))
            .cloned();
        // The items are read straight into the model's list (not into one of their own
        // that would then be copied there); it is put back whatever happens.
        let before = self.model.interactions.len();
        let decls = std::mem::take(&mut self.model.interactions);
        let mut stream = Stream::new(&file, index, inherited, decls);
        let mut parsed = yaml::parse_with(&file.text, self.options.limits, Some(&mut stream));
        let late_defaults = parsed.root.as_ref().is_some_and(|(doc, _)| {
            stream.started && !stream.own_defaults && doc.get("defaults").is_some()
        });
        let mut streamed = None;
        if late_defaults {
            parsed = yaml::parse(&file.text, self.options.limits);
        }
        if stream.started && !late_defaults && parsed.root.is_some() {
            streamed = Some(stream);
        } else {
            let mut decls = stream.decls;
            decls.truncate(before);
            self.model.interactions = decls;
        }
        crate::timing::phase("parsed");
        let findings = &mut self.findings;
        report_parse_problems(&parsed.problems, &file, findings);
        let Some((mut doc, spans)) = parsed.root else {
            if parsed.problems.is_empty() {
                findings.push(
                    Finding::new(&codes::EMPTY, "the file holds no YAML document")
                        .at(file.start_location())
                        .help("start from `commsplan init`"),
                );
            }
            self.model.files.push(file);
            return None;
        };
        if doc.is_null() {
            findings.push(
                Finding::new(&codes::EMPTY, "the file holds an empty document")
                    .at(file.location(spans.span))
                    .help("start from `commsplan init`"),
            );
            self.model.files.push(file);
            return None;
        }
        let streamed = match streamed {
            Some(stream) => Some(stream.finish(&mut file, &mut doc, findings)),
            None => {
                file.interaction_ids = interaction_ids(&doc);
                None
            }
        };
        let place = super::schema::Place::document(&spans);
        let (schema_findings, invalid) = super::schema::validate(&doc, &place, &file);
        findings.extend(schema_findings);
        findings.extend(missing_top_level(&doc, &spans, &file));
        crate::timing::phase("validated");
        file.spans = Some(spans);
        Some(Document {
            file,
            doc,
            invalid,
            streamed,
        })
    }
}

/// A parsed and validated file, ready for extraction.
struct Document {
    file: SourceFile,
    /// The document; with its interactions taken out when they were `streamed`.
    doc: Value,
    invalid: Invalid,
    streamed: Option<Streamed>,
}

/// The interactions read while the file was parsed, and the defaults they took.
struct Streamed {
    defaults: Option<Value>,
    refs: Vec<RawRef>,
    /// The model's interactions: those of the files read before, then this file's.
    decls: Vec<InteractionDecl>,
}

/// The id of each interaction, by position, for naming schema errors.
fn interaction_ids(doc: &Value) -> Vec<Option<String>> {
    doc.get("interactions")
        .and_then(Value::as_array)
        .map(|items| items.iter().map(item_id).collect())
        .unwrap_or_default()
}

fn item_id(item: &Value) -> Option<String> {
    item.get("id").and_then(Value::as_str).map(str::to_string)
}

/// The bytes a typically written interaction takes (an id, its two ends, a few needs
/// and a partial `uses` block): the reserve per byte of file for the model's list.
const TYPICAL_INTERACTION_BYTES: usize = 256;

/// The items of the `interactions` list, validated and extracted as the parser
/// completes each one (see [`yaml::ItemSink`]). Each item is validated against the
/// schema in a document of its own ([`super::schema::validate_part`]), so its findings
/// are those of the whole document.
struct Stream {
    /// Stands for the file being read: its path (for locations) and the ids read so far.
    shell: SourceFile,
    file: usize,
    /// The defaults of the file that includes this one.
    inherited: Option<Value>,
    /// Whether the list was taken.
    started: bool,
    /// Whether the file's own `defaults` were written before the list (and so were
    /// validated here).
    own_defaults: bool,
    defaults: Option<Value>,
    findings: Vec<Finding>,
    refs: Vec<RawRef>,
    /// The model's interactions, taken while the file is parsed.
    decls: Vec<InteractionDecl>,
}

impl Stream {
    fn new(
        file: &SourceFile,
        index: usize,
        inherited: Option<Value>,
        mut decls: Vec<InteractionDecl>,
    ) -> Stream {
        // Growing the list by doubling copies it into fresh pages again and again, and on
        // a large file that page-faulting was a tenth of the run; room for the count a
        // typical file of this size holds is reserved (untouched room costs no memory).
        decls.reserve(file.text.len() / TYPICAL_INTERACTION_BYTES);
        Stream {
            shell: SourceFile {
                path: std::sync::Arc::clone(&file.path),
                text: String::new(),
                spans: None,
                interaction_ids: Vec::new(),
                included_by: file.included_by,
            },
            file: index,
            inherited,
            started: false,
            own_defaults: false,
            defaults: None,
            findings: Vec::new(),
            refs: Vec::new(),
            decls,
        }
    }

    /// Hands over what was read: the ids and findings to the file, and the document
    /// without the `defaults` validated here (the rest of it is validated whole).
    fn finish(
        self,
        file: &mut SourceFile,
        doc: &mut Value,
        findings: &mut Vec<Finding>,
    ) -> Streamed {
        file.interaction_ids = self.shell.interaction_ids;
        if self.own_defaults {
            if let Value::Object(top) = doc {
                top.shift_remove("defaults");
            }
        }
        findings.extend(self.findings);
        Streamed {
            defaults: self.defaults,
            refs: self.refs,
            decls: self.decls,
        }
    }
}

impl yaml::ItemSink for Stream {
    fn start(
        &mut self,
        top: &serde_json::Map<String, Value>,
        spans: &[(std::sync::Arc<str>, yaml::SpanTree)],
    ) -> bool {
        self.started = true;
        let tree = spans.iter().find(|(k, _)| &**k == "defaults");
        let own = match (top.get("defaults"), tree) {
            (Some(d), Some((_, tree))) => {
                self.own_defaults = true;
                let (d, found, mut invalid) =
                    super::schema::validate_part("defaults", None, d.clone(), tree, &self.shell);
                self.findings.extend(found);
                own_defaults(d, &mut invalid.defaults)
            }
            _ => None,
        };
        self.defaults = effective_defaults(own, self.inherited.as_ref());
        true
    }

    fn item(&mut self, index: usize, value: Value, spans: &yaml::SpanTree) {
        self.shell.interaction_ids.push(item_id(&value));
        let (value, found, mut invalid) =
            super::schema::validate_part("interactions", Some(index), value, spans, &self.shell);
        self.findings.extend(found);
        let paths = invalid.interactions.remove(&index);
        let defaults = self.defaults.as_ref();
        if let Some(decl) =
            extract_interaction(&mut self.refs, self.file, index, value, paths, defaults)
        {
            self.decls.push(decl);
        }
    }
}

fn report_parse_problems(
    problems: &[yaml::Problem],
    file: &SourceFile,
    findings: &mut Vec<Finding>,
) {
    for p in problems {
        let info = match p.kind {
            ProblemKind::Syntax | ProblemKind::ComplexKey => &codes::YAML_SYNTAX,
            ProblemKind::DuplicateKey => &codes::DUPLICATE_KEY,
            ProblemKind::BadMerge => &codes::WRONG_TYPE,
            ProblemKind::Limit => &codes::LIMIT,
        };
        let mut f = Finding::new(info, p.message.clone())
            .at(file.location(p.span))
            .label(p.label.clone());
        if let Some(h) = &p.help {
            f = f.help(h.clone());
        }
        if let Some((span, msg)) = &p.related {
            f = f.related(file.location(*span), msg.clone());
        }
        findings.push(f);
    }
}

/// The top-level fields whose need depends on the file's place, which the schema cannot
/// see: a file given on the command line names the system, and a file that neither
/// includes nor is included holds services and interactions.
fn missing_top_level(doc: &Value, spans: &yaml::SpanTree, file: &SourceFile) -> Vec<Finding> {
    let Value::Object(top) = doc else {
        return Vec::new();
    };
    let included = file.included_by.is_some();
    let stands_alone = !included && !top.contains_key("include");
    [
        ("system", !included),
        ("services", stands_alone),
        ("interactions", stands_alone),
    ]
    .into_iter()
    .filter(|&(key, needed)| needed && !top.contains_key(key))
    .map(|(key, _)| {
        Finding::new(&codes::MISSING_FIELD, format!("`{key}` is missing"))
            .at(file.mapping_location(spans, ""))
            .label(format!("`{key}` required here"))
    })
    .collect()
}

/// What [`extract`] needs to know about the file besides its document.
struct Extracting<'d> {
    file: usize,
    included: bool,
    /// The defaults of the file that includes this one (its own merged over its includer's).
    inherited: Option<&'d Value>,
}

/// Moves a document into the model. Nodes with schema errors are left out as if not
/// written (their errors are already reported) and the rest of each item is read; an item
/// that still does not read (an interaction without `to`) is left out, though its
/// `from`/`to` are still checked. Returns the defaults that apply to the file's
/// interactions, for the files it includes.
fn extract(
    model: &mut Model,
    findings: &mut Vec<Finding>,
    refs: &mut Vec<RawRef>,
    at: Extracting,
    doc: Value,
    mut invalid: Invalid,
    streamed: Option<Streamed>,
) -> Option<Value> {
    let Value::Object(mut top) = doc else {
        return at.inherited.cloned();
    };
    // The system is named by the files given on the command line, not by included ones.
    if model.system.is_none() && !at.included {
        model.system = top
            .get("system")
            .and_then(Value::as_str)
            .map(str::to_string);
        model.description = top
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string);
    }
    let defaults = match &streamed {
        Some(streamed) => streamed.defaults.clone(),
        None => {
            let own = top
                .remove("defaults")
                .and_then(|d| own_defaults(d, &mut invalid.defaults));
            effective_defaults(own, at.inherited)
        }
    };
    if let Some(Value::Object(services)) = top.remove("services") {
        extract_services(model, findings, at.file, services, &mut invalid);
    }
    if let Some(streamed) = streamed {
        refs.extend(streamed.refs);
        // The list the items were read into holds the interactions of the files before.
        model.interactions = streamed.decls;
    } else if let Some(Value::Array(items)) = top.remove("interactions") {
        let decls = extract_interactions(refs, at.file, items, &mut invalid, defaults.as_ref());
        model.interactions.extend(decls);
    }
    if let Some(Value::Array(items)) = top.remove("suppress") {
        for (index, value) in items.into_iter().enumerate() {
            if invalid.suppressions.contains(&index) {
                continue;
            }
            if let Ok(suppression) = serde_json::from_value::<Suppression>(value) {
                model.suppressions.push(SuppressionDecl {
                    suppression,
                    origin: Origin {
                        file: at.file,
                        pointer: format!("/suppress/{index}"),
                    },
                });
            }
        }
    }
    defaults
}

fn extract_services(
    model: &mut Model,
    findings: &mut Vec<Finding>,
    file: usize,
    services: serde_json::Map<String, Value>,
    invalid: &mut Invalid,
) {
    for (name, mut value) in services {
        let origin = Origin {
            file,
            pointer: format!("/services/{}", escape_pointer_token(&name)),
        };
        let mut removed = Vec::new();
        if let Some(mut paths) = invalid.services.remove(&name) {
            removed = removed_suppressions(&paths);
            prune(&mut value, &mut paths);
        }
        let Ok(mut service) = serde_json::from_value::<Service>(value) else {
            // Keep the name so that references to it do not cascade into errors.
            model.services.entry(name.clone()).or_insert(ServiceDecl {
                name,
                service: Service::default(),
                origin,
            });
            continue;
        };
        renumber(&mut service.suppress, &removed);
        if let Some(first) = model.services.get(&name) {
            findings.push(checks::duplicate_service(
                model,
                &name,
                &first.origin,
                &origin,
            ));
            continue;
        }
        model.services.insert(
            name.clone(),
            ServiceDecl {
                name,
                service,
                origin,
            },
        );
    }
}

/// A file's own `defaults` without the nodes the schema rejects, if they still read.
fn own_defaults(mut defaults: Value, invalid: &mut [super::prune::Path]) -> Option<Value> {
    prune(&mut defaults, invalid);
    Uses::deserialize(&defaults).is_ok().then_some(defaults)
}

/// The defaults a file's interactions take: its own over those of the file including it.
fn effective_defaults(own: Option<Value>, inherited: Option<&Value>) -> Option<Value> {
    match (own, inherited) {
        (Some(mut own), Some(inherited)) => {
            merge_under(&mut own, inherited);
            Some(own)
        }
        (own, inherited) => own.or_else(|| inherited.cloned()),
    }
}

fn extract_interactions(
    refs: &mut Vec<RawRef>,
    file: usize,
    items: Vec<Value>,
    invalid: &mut Invalid,
    defaults: Option<&Value>,
) -> Vec<InteractionDecl> {
    let mut decls = Vec::with_capacity(items.len());
    for (index, value) in items.into_iter().enumerate() {
        let paths = invalid.interactions.remove(&index);
        decls.extend(extract_interaction(
            refs, file, index, value, paths, defaults,
        ));
    }
    decls
}

/// One interaction, without the nodes at `invalid`, with the defaults merged under its
/// `uses`; its `from`, `to` and id are recorded in `refs` even if it does not read.
fn extract_interaction(
    refs: &mut Vec<RawRef>,
    file: usize,
    index: usize,
    mut value: Value,
    invalid: Option<Vec<super::prune::Path>>,
    defaults: Option<&Value>,
) -> Option<InteractionDecl> {
    let origin = Origin {
        file,
        pointer: format!("/interactions/{index}"),
    };
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
    refs.push(RawRef {
        id: text("id"),
        from: text("from"),
        to: text("to"),
        origin: origin.clone(),
    });
    // Written, even if a field in it is left out below.
    let declares_uses = value.get("uses").is_some();
    let mut removed = Vec::new();
    if let Some(mut paths) = invalid {
        removed = removed_suppressions(&paths);
        prune(&mut value, &mut paths);
    }
    if let (Some(defaults), Value::Object(map)) = (defaults, &mut value) {
        let uses = map
            .entry("uses")
            .or_insert_with(|| Value::Object(Default::default()));
        merge_under(uses, defaults);
    }
    let mut interaction = serde_json::from_value::<Interaction>(value).ok()?;
    renumber(&mut interaction.suppress, &removed);
    Some(InteractionDecl {
        interaction,
        origin,
        declares_uses,
    })
}

/// After invalid entries of a `suppress` list were left out (`removed`, positions as
/// written): each kept entry's position as written, for locating it.
fn renumber(kept: &mut [Suppression], removed: &[usize]) {
    if removed.is_empty() {
        return;
    }
    let mut written = (0..).filter(|i| !removed.contains(i));
    for s in kept {
        s.written_index = written.next();
    }
}

/// Adds what `base` has and `target` lacks, mapping by mapping; `target` wins.
fn merge_under(target: &mut Value, base: &Value) {
    if let (Value::Object(t), Value::Object(b)) = (target, base) {
        for (k, bv) in b {
            match t.get_mut(k) {
                Some(tv) => merge_under(tv, bv),
                None => {
                    t.insert(k.clone(), bv.clone());
                }
            }
        }
    }
}

/// UTF-8 text without a byte-order mark, or the text before the first bad byte and
/// what is wrong with it.
fn decode(mut bytes: Vec<u8>) -> std::result::Result<String, (String, String)> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        bytes.drain(..3);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err((
            String::new(),
            "the file is UTF-16 encoded; commsplan reads UTF-8".into(),
        ));
    }
    let (text, bad_byte) = match String::from_utf8(bytes) {
        Ok(t) => (t, None),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let mut bytes = e.into_bytes();
            let bad = bytes[valid];
            bytes.truncate(valid);
            (String::from_utf8(bytes).expect("valid prefix"), Some(bad))
        }
    };
    // Whichever problem comes first in the file is the one to show.
    if let Some((at, ch)) = first_non_printable(&text) {
        return Err((
            text[..at].to_string(),
            format!(
                "control character U+{:04X} is not allowed in YAML (is this a binary file?)",
                ch as u32
            ),
        ));
    }
    if let Some(bad) = bad_byte {
        return Err((
            text,
            format!("the file is not valid UTF-8: byte 0x{bad:02X} cannot start or continue a character (Latin-1 text?)"),
        ));
    }
    Ok(text)
}

/// The first character outside YAML's c-printable set, with its byte offset. Printable
/// ASCII, most of any file, is passed over a byte at a time without decoding characters.
fn first_non_printable(text: &str) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    let mut at = 0;
    loop {
        let ascii = bytes[at..]
            .iter()
            .position(|&b| !matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7E))?;
        at += ascii;
        // Only whole ASCII characters were passed over: `at` starts a character.
        let ch = text[at..].chars().next()?;
        if !is_yaml_printable(ch) {
            return Some((at, ch));
        }
        at += ch.len_utf8();
    }
}

/// YAML's c-printable set (tab, line breaks, and printable Unicode).
fn is_yaml_printable(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | '\u{20}'..='\u{7E}' | '\u{85}' | '\u{A0}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
        && c != '\u{FEFF}'
}

/// The position just after `text`.
fn end_pos(text: &str) -> yaml::Pos {
    let line = text.matches('\n').count() as u32 + 1;
    let last_line = text.rsplit('\n').next().unwrap_or("");
    yaml::Pos {
        line,
        column: last_line.chars().count() as u32 + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_characters(text: &str) -> Option<(usize, char)> {
        text.char_indices().find(|&(_, c)| !is_yaml_printable(c))
    }

    /// The ASCII fast path finds what a walk over every character finds.
    #[test]
    fn the_ascii_fast_path_finds_the_first_non_printable_character() {
        let cases = [
            "",
            "plain: ascii\n\ttab\r\n",
            "주문: 완료 ünïcødé 🚀",
            "a\u{7F}b",
            "ok \u{85} next-line is printable",
            "bom in the middle \u{FEFF}",
            "é\u{1}",
            "\u{FFFE} not a character",
            "\u{FFFD} replacement is printable, then \u{8}",
            "\u{9F} C1 control",
        ];
        for text in cases {
            assert_eq!(first_non_printable(text), by_characters(text), "{text:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_walk_over_characters(text in "\\PC{0,40}|[\\x00-\\x7f\\u{80}-\\u{ffff}]{0,40}") {
            proptest::prop_assert_eq!(first_non_printable(&text), by_characters(&text));
        }
    }
}
