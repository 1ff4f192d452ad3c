//! The system as a Mermaid flowchart: services shaped by kind, interactions styled by
//! pattern, asynchronous ones drawn through their queue or topic.

use super::mermaid::{Arrow, Rendered, Shape, Writer};
use super::{DiagramOptions, GroupBy};
use crate::analysis::Analysis;
use crate::finding::Severity;
use crate::model::types::{Pattern, ServiceKind};
use indexmap::{IndexMap, IndexSet};
use petgraph::graph::{NodeIndex, UnGraph};
use std::collections::{HashMap, VecDeque};

/// Colours, one per pattern family, also used by the legend.
const SYNC: &str = "#1a73e8";
const SYNC_OPTIMIZED: &str = "#188038";
const CQRS: &str = "#9334e6";
const ASYNC: &str = "#e37400";
const UNDECIDED: &str = "#80868b";
const ERROR: &str = "#d93025";
const WARNING: &str = "#f9ab00";

const CLASS_DEFS: &[&str] = &[
    "classDef client fill:#f1f3f4,stroke:#5f6368,color:#202124",
    "classDef gateway fill:#e8f0fe,stroke:#1a73e8,color:#202124",
    "classDef service fill:#ffffff,stroke:#3c4043,color:#202124",
    "classDef worker fill:#fef7e0,stroke:#b06000,color:#202124",
    "classDef external fill:#f8f9fa,stroke:#5f6368,stroke-dasharray:5 3,color:#202124",
    "classDef undefined fill:#ffffff,stroke:#d93025,stroke-dasharray:2 2,color:#202124",
    "classDef queue fill:#fff4e5,stroke:#e37400,color:#202124",
    "classDef stream fill:#e4f7fb,stroke:#007b83,color:#202124",
];

const FINDING_CLASS_DEFS: &[&str] = &[
    "classDef error fill:#fce8e6,stroke:#d93025,stroke-width:3px,color:#202124",
    "classDef warning fill:#fef7e0,stroke:#f9ab00,stroke-width:3px,color:#202124",
];

const GROUP_STYLE: &str = "fill:#f8f9fa,stroke:#dadce0,color:#3c4043";
const LEGEND_STYLE: &str = "fill:#ffffff,stroke:#bdc1c6,stroke-dasharray:3 3,color:#3c4043";

const FOCUS_CLASS_DEF: &str = "classDef focus stroke-width:4px";

struct Link {
    arrow: Arrow,
    colour: &'static str,
    level: Option<Severity>,
    /// How many interactions this line stands for.
    count: usize,
    /// Service to service (not through a channel).
    direct: bool,
}

/// Where a drawn interaction endpoint lives: a declared service, or a name that an
/// interaction uses but no file declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Participant {
    Service(usize),
    Undefined(usize),
}

struct Participants {
    /// Declared services, then undeclared names, in order of appearance.
    names: IndexSet<String>,
    declared: usize,
}

impl Participants {
    fn of(analysis: &Analysis) -> Participants {
        let mut names: IndexSet<String> = analysis.model.services.keys().cloned().collect();
        let declared = names.len();
        for decl in &analysis.model.interactions {
            names.insert(decl.interaction.from.clone());
            names.insert(decl.interaction.to.clone());
        }
        Participants { names, declared }
    }

    fn get(&self, name: &str) -> Participant {
        let i = self
            .names
            .get_index_of(name)
            .expect("every endpoint is named");
        if i < self.declared {
            Participant::Service(i)
        } else {
            Participant::Undefined(i - self.declared)
        }
    }

    fn id(&self, p: Participant) -> String {
        match p {
            Participant::Service(i) => format!("s{i}"),
            Participant::Undefined(i) => format!("u{i}"),
        }
    }

    fn name(&self, p: Participant) -> &str {
        match p {
            Participant::Service(i) => &self.names[i],
            Participant::Undefined(i) => &self.names[self.declared + i],
        }
    }
}

/// The services within `depth` interactions of `focus`, in either direction.
fn neighbourhood(
    analysis: &Analysis,
    parts: &Participants,
    focus: usize,
    depth: usize,
) -> Vec<bool> {
    let mut graph: UnGraph<(), ()> = UnGraph::default();
    let nodes: Vec<NodeIndex> = parts.names.iter().map(|_| graph.add_node(())).collect();
    for decl in &analysis.model.interactions {
        let a = parts
            .names
            .get_index_of(&decl.interaction.from)
            .expect("named");
        let b = parts
            .names
            .get_index_of(&decl.interaction.to)
            .expect("named");
        graph.add_edge(nodes[a], nodes[b], ());
    }
    let mut within = vec![false; parts.names.len()];
    let mut queue = VecDeque::from([(nodes[focus], 0usize)]);
    within[focus] = true;
    while let Some((at, d)) = queue.pop_front() {
        if d == depth {
            continue;
        }
        for next in graph.neighbors_undirected(at) {
            if !within[next.index()] {
                within[next.index()] = true;
                queue.push_back((next, d + 1));
            }
        }
    }
    within
}

/// The worst unsuppressed severity (warning or error) per interaction id and per
/// service name.
fn finding_levels(analysis: &Analysis) -> (HashMap<&str, Severity>, HashMap<&str, Severity>) {
    let mut by_interaction: HashMap<&str, Severity> = HashMap::new();
    let mut by_service: HashMap<&str, Severity> = HashMap::new();
    for f in &analysis.findings {
        if f.suppressed.is_some() || f.severity < Severity::Warning {
            continue;
        }
        // A grouped finding marks every interaction it affects, at that member's level.
        for member in &f.affected {
            if let Some(i) = &member.interaction {
                if member.severity >= Severity::Warning {
                    let level = by_interaction.entry(i.as_str()).or_insert(member.severity);
                    *level = (*level).max(member.severity);
                }
            }
        }
        if !f.affected.is_empty() {
            continue;
        }
        let slot = match (&f.interaction, &f.service) {
            (Some(i), _) => by_interaction.entry(i.as_str()),
            (None, Some(s)) => by_service.entry(s.as_str()),
            (None, None) => continue,
        };
        let level = slot.or_insert(f.severity);
        *level = (*level).max(f.severity);
    }
    (by_interaction, by_service)
}

fn kind_shape(kind: ServiceKind) -> Shape {
    match kind {
        ServiceKind::Client => Shape::Stadium,
        ServiceKind::Gateway => Shape::Hexagon,
        ServiceKind::Service => Shape::Rounded,
        ServiceKind::Worker => Shape::Subroutine,
        ServiceKind::External => Shape::Trapezoid,
    }
}

fn pattern_arrow(pattern: Option<Pattern>) -> (Arrow, &'static str) {
    match pattern {
        Some(Pattern::Sync) => (Arrow::Solid, SYNC),
        Some(Pattern::SyncOptimized) => (Arrow::Thick, SYNC_OPTIMIZED),
        Some(Pattern::Cqrs) => (Arrow::Circle, CQRS),
        Some(Pattern::Queue | Pattern::Stream) => (Arrow::Dotted, ASYNC),
        None => (Arrow::Solid, UNDECIDED),
    }
}

/// `grpc · sync`, `rest · sync (recommended: queue)`, `amqp · recommended: queue`.
fn edge_label(
    protocol: Option<&str>,
    declared: Option<Pattern>,
    recommended: Option<Pattern>,
    level: Option<Severity>,
) -> String {
    let pattern = match (declared, recommended) {
        (Some(d), Some(r)) if d != r => format!("{d} (recommended: {r})"),
        (Some(d), _) => d.to_string(),
        (None, Some(r)) => format!("recommended: {r}"),
        (None, None) => "undecided".to_string(),
    };
    let mark = match level {
        Some(Severity::Error) => "✖ ",
        Some(Severity::Warning) => "⚠ ",
        _ => "",
    };
    match protocol {
        Some(p) => format!("{mark}{p} · {pattern}"),
        None => format!("{mark}{pattern}"),
    }
}

pub(super) fn render(analysis: &Analysis, options: &DiagramOptions) -> Rendered {
    let scene = Scene::new(analysis, options);
    let mut w = Writer::new("flowchart LR");
    scene.write_header(&mut w);
    let subgraphs = scene.draw_services(&mut w);
    let (channels, links) = scene.links();
    draw_channels(&mut w, &channels);
    let mut styles = draw_links(&mut w, &links);
    for g in 0..subgraphs {
        w.line(&format!("style g{g} {GROUP_STYLE}"));
    }
    if options.legend {
        legend(
            &mut w,
            &mut styles.colour,
            &mut styles.level,
            options.findings,
        );
    }
    // Styles last: linkStyle indexes links in the order they were written.
    style_links(&mut w, &styles);
    scene.mark_services(&mut w);
    w.finish()
}

/// What one drawing of the system shows: the participants, the part of the system
/// in focus, and the findings that colour it.
struct Scene<'a> {
    analysis: &'a Analysis,
    options: &'a DiagramOptions,
    parts: Participants,
    /// The focused participant and, per participant, whether it is close enough to it.
    focus: Option<(usize, Vec<bool>)>,
    finding_by_interaction: HashMap<&'a str, Severity>,
    finding_by_service: HashMap<&'a str, Severity>,
}

/// A queue or topic node: its id, its title and the pattern that goes through it.
type ChannelNode = (String, String, Pattern);

/// Lines between two node ids, with the label they carry; identical lines are one.
type Links = IndexMap<(String, String, Option<String>), Link>;

/// The colour and finding level of every link drawn, in order, for `linkStyle`.
struct LinkStyles {
    colour: Vec<&'static str>,
    level: Vec<Option<Severity>>,
}

impl<'a> Scene<'a> {
    fn new(analysis: &'a Analysis, options: &'a DiagramOptions) -> Scene<'a> {
        let parts = Participants::of(analysis);
        let focus = options
            .focus
            .as_deref()
            .and_then(|name| parts.names.get_index_of(name))
            .map(|i| (i, neighbourhood(analysis, &parts, i, options.depth)));
        let (finding_by_interaction, finding_by_service) = if options.findings {
            finding_levels(analysis)
        } else {
            Default::default()
        };
        Scene {
            analysis,
            options,
            parts,
            focus,
            finding_by_interaction,
            finding_by_service,
        }
    }

    fn shown(&self, name: &str) -> bool {
        match &self.focus {
            Some((_, within)) => self
                .parts
                .names
                .get_index_of(name)
                .is_some_and(|i| within[i]),
            None => true,
        }
    }

    /// The id of the focused participant.
    fn focus_id(&self) -> Option<String> {
        let (i, _) = self.focus.as_ref()?;
        Some(self.parts.id(self.parts.get(&self.parts.names[*i])))
    }

    /// The summary comment and the class definitions.
    fn write_header(&self, w: &mut Writer) {
        let model = &self.analysis.model;
        // User text stays out of comments: only labels are escaped.
        let scope = match self.focus_id() {
            Some(id) => format!(
                "; only {id} and its neighbours to depth {}",
                self.options.depth
            ),
            None => String::new(),
        };
        w.line(&format!(
            "%% system diagram: services {}, interactions {}{scope}; generated by commsplan",
            model.services.len(),
            model.interactions.len(),
        ));
        for def in CLASS_DEFS {
            w.line(def);
        }
        if self.options.findings {
            for def in FINDING_CLASS_DEFS {
                w.line(def);
            }
        }
        if self.focus.is_some() {
            w.line(FOCUS_CLASS_DEF);
        }
    }

    /// The services, grouped into subgraphs in the order their groups first appear,
    /// then the undeclared names. Returns how many subgraphs were drawn.
    fn draw_services(&self, w: &mut Writer) -> usize {
        let model = &self.analysis.model;
        let mut groups: IndexMap<Option<String>, Vec<usize>> = IndexMap::new();
        for (i, decl) in model.services.values().enumerate() {
            if !self.shown(&decl.name) {
                continue;
            }
            let kind = decl.service.kind.unwrap_or(ServiceKind::Service);
            let key = match self.options.group_by {
                GroupBy::Owner => decl.service.owner.clone(),
                GroupBy::Kind => Some(kind.as_str().to_string()),
                GroupBy::None => None,
            };
            groups.entry(key).or_default().push(i);
        }
        let draw_service = |w: &mut Writer, i: usize| {
            let decl = &model.services[i];
            let kind = decl.service.kind.unwrap_or(ServiceKind::Service);
            let id = self.parts.id(Participant::Service(i));
            w.node(&id, kind_shape(kind), &decl.name, Some(kind.as_str()));
        };
        let mut subgraphs = 0;
        for (key, members) in &groups {
            if let Some(title) = key {
                w.open_subgraph(&format!("g{subgraphs}"), title);
                subgraphs += 1;
            }
            for &i in members {
                draw_service(w, i);
            }
            if key.is_some() {
                w.close_subgraph();
            }
        }
        let parts = &self.parts;
        for u in 0..parts.names.len() - parts.declared {
            let p = Participant::Undefined(u);
            if self.shown(parts.name(p)) {
                w.node(&parts.id(p), Shape::Rect, parts.name(p), Some("undefined"));
            }
        }
        subgraphs
    }

    /// The lines the interactions draw. Async ones go through a channel node; several
    /// interactions on one channel share it, and identical links are drawn once.
    fn links(&self) -> (Vec<ChannelNode>, Links) {
        let model = &self.analysis.model;
        let parts = &self.parts;
        let mut channels: IndexMap<String, String> = IndexMap::new();
        let mut channel_nodes: Vec<ChannelNode> = Vec::new();
        let mut links = Links::new();
        let mut add = |from: String, to: String, label: Option<String>, link: Link| {
            links
                .entry((from, to, label))
                .and_modify(|l| {
                    l.count += 1;
                    l.level = l.level.max(link.level);
                })
                .or_insert(link);
        };
        for (decl, decision) in model.interactions.iter().zip(&self.analysis.decisions) {
            let i = &decl.interaction;
            if !(self.shown(&i.from) && self.shown(&i.to)) {
                continue;
            }
            let uses = decl.uses();
            let declared = uses.pattern;
            let recommended = decision.recommended;
            let pattern = declared.or(recommended);
            let level = self.finding_by_interaction.get(i.id.as_str()).copied();
            let label = edge_label(uses.protocol.as_deref(), declared, recommended, level);
            let (arrow, colour) = pattern_arrow(pattern);
            let link = |direct| Link {
                arrow,
                colour,
                level,
                count: 1,
                direct,
            };
            let from = parts.id(parts.get(&i.from));
            let to = parts.id(parts.get(&i.to));
            match pattern {
                Some(p @ (Pattern::Queue | Pattern::Stream)) => {
                    let (key, title) = channel_of(&i.id, uses.channel.as_deref(), p);
                    let next = format!("c{}", channels.len());
                    let id = channels
                        .entry(key)
                        .or_insert_with(|| {
                            channel_nodes.push((next.clone(), title, p));
                            next
                        })
                        .clone();
                    add(from, id.clone(), Some(label), link(false));
                    add(id, to, None, link(false));
                }
                _ => add(from, to, Some(label), link(true)),
            }
        }
        (channel_nodes, links)
    }

    /// Services with findings take their worst level's class; the focus its own.
    fn mark_services(&self, w: &mut Writer) {
        if self.options.findings {
            for (level, class) in [(Severity::Error, "error"), (Severity::Warning, "warning")] {
                let ids: Vec<String> = self
                    .analysis
                    .model
                    .services
                    .values()
                    .enumerate()
                    .filter(|(_, s)| self.shown(&s.name))
                    .filter(|(_, s)| self.finding_by_service.get(s.name.as_str()) == Some(&level))
                    .map(|(i, _)| self.parts.id(Participant::Service(i)))
                    .collect();
                w.class(&ids, class);
            }
        }
        if let Some(id) = self.focus_id() {
            w.class(&[id], "focus");
        }
    }
}

/// The key that identifies an async interaction's channel node, and its title: a named
/// channel is shared, an unnamed one is the interaction's own.
fn channel_of(interaction: &str, channel: Option<&str>, pattern: Pattern) -> (String, String) {
    match channel {
        Some(name) => (format!("named:{name}"), name.to_string()),
        None => (
            format!("unnamed:{interaction}"),
            format!(
                "{interaction} ({}, no channel named)",
                if pattern == Pattern::Queue {
                    "queue"
                } else {
                    "topic"
                }
            ),
        ),
    }
}

fn draw_channels(w: &mut Writer, channels: &[ChannelNode]) {
    for (id, title, pattern) in channels {
        let class = if *pattern == Pattern::Queue {
            "queue"
        } else {
            "stream"
        };
        w.node(id, Shape::Cylinder, title, Some(class));
    }
}

fn draw_links(w: &mut Writer, links: &Links) -> LinkStyles {
    let mut styles = LinkStyles {
        colour: Vec::new(),
        level: Vec::new(),
    };
    for ((from, to, label), link) in links {
        // Two interactions between the same services with the same protocol and
        // pattern are one line, counted; a channel's publishers and consumers are
        // drawn once whatever the count.
        let label = match label {
            Some(l) if link.direct && link.count > 1 => Some(format!("{l} ×{}", link.count)),
            other => other.clone(),
        };
        w.link(from, to, link.arrow, label.as_deref());
        styles.colour.push(link.colour);
        styles.level.push(link.level);
    }
    styles
}

/// One `linkStyle` per pattern colour for the links without findings, then one per
/// finding level (sync and async apart, as async lines are dashed).
fn style_links(w: &mut Writer, styles: &LinkStyles) {
    let (link_colour, link_level) = (&styles.colour, &styles.level);
    for colour in [SYNC, SYNC_OPTIMIZED, CQRS, ASYNC, UNDECIDED] {
        let of_colour: Vec<usize> = (0..link_colour.len())
            .filter(|&l| link_colour[l] == colour && link_level[l].is_none())
            .collect();
        // Async lines are dashed more boldly than Mermaid's dotted default, so that
        // they read as different from the sync ones even where colours do not.
        let dash = if colour == ASYNC {
            ",stroke-dasharray:6 4"
        } else {
            ""
        };
        w.link_style(
            &of_colour,
            &format!("stroke:{colour},stroke-width:2px{dash}"),
        );
    }
    for (level, colour) in [(Severity::Error, ERROR), (Severity::Warning, WARNING)] {
        for (asynchronous, dash) in [(false, ""), (true, ",stroke-dasharray:6 4")] {
            let of_level: Vec<usize> = (0..link_level.len())
                .filter(|&l| link_level[l] == Some(level))
                .filter(|&l| (link_colour[l] == ASYNC) == asynchronous)
                .collect();
            w.link_style(
                &of_level,
                &format!("stroke:{colour},stroke-width:4px{dash}"),
            );
        }
    }
}

/// A small subgraph that shows each shape and each link style once.
fn legend(
    w: &mut Writer,
    link_colour: &mut Vec<&'static str>,
    link_level: &mut Vec<Option<Severity>>,
    findings: bool,
) {
    w.open_subgraph("legend", "legend");
    w.line("direction LR");
    w.node("l0", Shape::Stadium, "client", Some("client"));
    w.node("l1", Shape::Hexagon, "gateway", Some("gateway"));
    w.node("l2", Shape::Rounded, "service", Some("service"));
    w.node("l3", Shape::Subroutine, "worker", Some("worker"));
    w.node("l4", Shape::Trapezoid, "external", Some("external"));
    w.node("l5", Shape::Cylinder, "queue", Some("queue"));
    w.node("l6", Shape::Cylinder, "topic", Some("stream"));
    let mut link = |w: &mut Writer, from: &str, to: &str, pattern: Option<Pattern>, text: &str| {
        let (arrow, colour) = pattern_arrow(pattern);
        w.link(from, to, arrow, Some(text));
        link_colour.push(colour);
        link_level.push(None);
    };
    link(w, "l0", "l1", Some(Pattern::Sync), "sync");
    link(
        w,
        "l1",
        "l2",
        Some(Pattern::SyncOptimized),
        "sync-optimized",
    );
    link(w, "l2", "l3", Some(Pattern::Cqrs), "cqrs");
    link(w, "l2", "l5", Some(Pattern::Queue), "queue");
    link(w, "l2", "l6", Some(Pattern::Stream), "stream");
    link(w, "l3", "l4", None, "undecided");
    if findings {
        w.node("l7", Shape::Rect, "has errors", Some("error"));
        w.node("l8", Shape::Rect, "has warnings", Some("warning"));
    }
    w.close_subgraph();
    w.line(&format!("style legend {LEGEND_STYLE}"));
}
