//! Mermaid diagrams: the system (`commsplan diagram`) and the decision flowchart
//! (`commsplan flowchart`). Both draw every name literally; see `mermaid.rs`.

mod flowchart;
pub mod mermaid;
mod system;

pub use flowchart::Highlight;
pub use mermaid::{Labels, Rendered};

use crate::analysis::Analysis;

/// How services are gathered into subgraphs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum GroupBy {
    /// One subgraph per owning team; services without an owner stay outside.
    #[default]
    Owner,
    /// One subgraph per kind (client, gateway, service, worker, external).
    Kind,
    /// No subgraphs.
    None,
}

#[derive(Debug, Clone)]
pub struct DiagramOptions {
    pub group_by: GroupBy,
    /// Draw only this service and its neighbours. A name that is not a participant is
    /// ignored (the whole system is drawn): check it first with [`unknown_focus`].
    pub focus: Option<String>,
    /// How many interactions away from `focus` a service may be, in either direction.
    pub depth: usize,
    /// Make services and interactions with unsuppressed errors or warnings stand out.
    pub findings: bool,
    /// Draw the legend subgraph.
    pub legend: bool,
}

impl Default for DiagramOptions {
    fn default() -> DiagramOptions {
        DiagramOptions {
            group_by: GroupBy::Owner,
            focus: None,
            depth: 1,
            findings: false,
            legend: true,
        }
    }
}

/// The system as Mermaid `flowchart LR` text.
pub fn system_diagram(analysis: &Analysis, options: &DiagramOptions) -> String {
    system::render(analysis, options).text
}

/// The system diagram with the labels it is meant to draw.
pub fn render_system(analysis: &Analysis, options: &DiagramOptions) -> Rendered {
    system::render(analysis, options)
}

/// The decision flowchart, plain or with one interaction's path lit.
pub fn render_flowchart(highlight: Option<&Highlight>) -> Rendered {
    flowchart::render(highlight)
}

/// An error message when `options.focus` names no service of the analysis, with a
/// suggestion when one is close.
pub fn unknown_focus(analysis: &Analysis, options: &DiagramOptions) -> Option<String> {
    let focus = options.focus.as_deref()?;
    let model = &analysis.model;
    let mut names: Vec<&str> = model.services.keys().map(String::as_str).collect();
    for decl in &model.interactions {
        names.push(&decl.interaction.from);
        names.push(&decl.interaction.to);
    }
    if names.contains(&focus) {
        return None;
    }
    let hint = crate::model::schema::did_you_mean(focus, names.iter().copied())
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    Some(format!("no service `{focus}` to focus on{hint}"))
}
