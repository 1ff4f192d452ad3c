//! `--format markdown`: a design-review page for a pull-request comment or a job summary:
//! a summary line, the system diagram, the decisions (recommended vs declared, with the
//! flowchart path), then the findings grouped by severity with their help.
//!
//! Everything that comes from the architecture file is escaped: names may hold `|`,
//! `<script>`, backticks, `@mentions`, `#1` and newlines, and must show as written
//! without breaking the table or the page.

use super::interaction_rows;
use super::paths::Paths;
use super::{position, Context};
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};
use std::fmt::Write;
use std::io;

/// `--format markdown`.
pub struct Markdown {
    /// `--quiet`: leave out the decisions table.
    pub quiet: bool,
}

impl super::Emitter for Markdown {
    fn emit(
        &self,
        out: &mut dyn io::Write,
        analysis: &Analysis,
        context: &Context,
    ) -> io::Result<()> {
        out.write_all(render(analysis, context.paths, self).as_bytes())
    }
}

fn render(analysis: &Analysis, paths: &Paths, options: &Markdown) -> String {
    let model = &analysis.model;
    let mut out = String::new();
    let system = model.system.as_deref().unwrap_or("commsplan");
    let _ = writeln!(
        out,
        "## Design review: {}\n",
        text(&system.replace(['\r', '\n'], " "))
    );
    if let Some(description) = model
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        // `<br>` keeps the file's line breaks, which a quote would otherwise join.
        let lines: Vec<String> = description
            .trim_end()
            .lines()
            .map(|line| format!("> {}", line_start(&text(line))))
            .collect();
        let _ = writeln!(out, "{}\n", lines.join("<br>\n"));
    }
    let _ = writeln!(out, "{}\n", summary(analysis, paths));

    if let Some(diagram) = diagram_section(analysis) {
        out.push_str(&diagram);
        out.push_str("\n\n");
    }

    if !options.quiet && !model.interactions.is_empty() {
        out.push_str("### Interactions\n\n");
        out.push_str("| interaction | from → to | recommended | declared | flowchart path |\n");
        out.push_str("|---|---|---|---|---|\n");
        for row in interaction_rows(analysis) {
            let declared = match (row.declared, row.recommended) {
                (Some(d), Some(r)) if d != r => format!("**{d}** (≠ {r})"),
                (Some(d), _) => d.to_string(),
                (None, _) => "—".to_string(),
            };
            let _ = writeln!(
                out,
                "| {} | {} → {} | {} | {} | {} |",
                code(row.id, true),
                text(row.from),
                text(row.to),
                row.recommended.unwrap_or("?"),
                declared,
                row.path.join(" → ")
            );
        }
        out.push('\n');
    }

    out.push_str("### Findings\n\n");
    let active: Vec<&Finding> = analysis
        .findings
        .iter()
        .filter(|f| f.suppressed.is_none())
        .collect();
    if active.is_empty() {
        out.push_str("No findings.\n\n");
    }
    for (severity, title) in [
        (Severity::Error, "Errors"),
        (Severity::Warning, "Warnings"),
        (Severity::Info, "Info"),
    ] {
        let group: Vec<&&Finding> = active.iter().filter(|f| f.severity == severity).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "#### {title} ({})\n", group.len());
        for f in group {
            out.push_str(&item(f, paths));
        }
        out.push('\n');
    }
    let suppressed: Vec<&Finding> = analysis
        .findings
        .iter()
        .filter(|f| f.suppressed.is_some())
        .collect();
    if !suppressed.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Suppressed ({})</summary>\n",
            suppressed.len()
        );
        for f in suppressed {
            out.push_str(&item(f, paths));
        }
        out.push_str("\n</details>\n\n");
    }
    let _ = writeln!(
        out,
        "<sub>commsplan {} · `commsplan explain CODE` explains a rule</sub>",
        env!("CARGO_PKG_VERSION")
    );
    out
}

/// The system diagram as a Mermaid block, which GitHub and GitLab draw in comments and
/// job summaries. Services and interactions with findings stand out.
fn diagram_section(analysis: &Analysis) -> Option<String> {
    if analysis.model.interactions.is_empty() {
        return None;
    }
    let options = crate::diagram::DiagramOptions {
        findings: true,
        ..Default::default()
    };
    let diagram = crate::diagram::system_diagram(analysis, &options);
    // A fence longer than any run of backticks inside, so no name can close it.
    let longest = diagram.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    Some(format!(
        "{fence}mermaid\n{}\n{fence}",
        diagram.trim_end_matches('\n')
    ))
}

fn summary(analysis: &Analysis, paths: &Paths) -> String {
    let [interactions, errors, warnings, infos] = super::count_phrases(analysis);
    let files: Vec<String> = analysis
        .model
        .files
        .iter()
        .map(|f| code(&paths.display(&f.path), false))
        .collect();
    format!(
        "**{interactions}** · **{errors}** · **{warnings}** · **{infos}** · {} suppressed — {}",
        analysis.suppressed(),
        files.join(", ")
    )
}

fn item(f: &Finding, paths: &Paths) -> String {
    let mut s = format!(
        "- **{}** {} — {}",
        code(f.code, false),
        f.name,
        inline(&f.message, false)
    );
    let mut whereabouts = Vec::new();
    if let Some(loc) = &f.location {
        whereabouts.push(code(&position(&paths.display(&loc.file), loc), false));
    }
    if !f.affected.is_empty() {
        let ids: Vec<String> = f
            .affected
            .iter()
            .filter_map(|a| a.interaction.as_deref())
            .map(|id| code(id, false))
            .collect();
        whereabouts.push(format!("interactions {}", ids.join(", ")));
    } else if let Some(id) = &f.interaction {
        whereabouts.push(format!("interaction {}", code(id, false)));
    }
    if let Some(service) = &f.service {
        whereabouts.push(format!("service {}", text(service)));
    }
    if !whereabouts.is_empty() {
        let _ = write!(s, "<br>\n  {}", whereabouts.join(" · "));
    }
    if let Some(risk) = crate::graph::impact::summary(f) {
        let _ = write!(s, "<br>\n  {}", inline(&risk, false));
    }
    if let Some(help) = &f.help {
        let _ = write!(s, "<br>\n  help: {}", inline(help, false));
    }
    if let Some(sup) = &f.suppressed {
        let _ = write!(s, "<br>\n  suppressed: {}", inline(&sup.reason, false));
    }
    s.push('\n');
    s
}

/// Plain text: backslash-escapes Markdown punctuation, writes `<>&` as entities (so that no tag or
/// entity survives), and newlines as `<br>`. `$` (GitHub math), `@` (mentions) and `#`
/// (issue links) are escaped too.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("<br>"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '!' | '|' | '~' | '$' | '@' | ':' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() && c != '\t' => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

/// A line that starts like a list item, heading or rule would be read as one.
fn line_start(escaped: &str) -> String {
    let trimmed = escaped.trim_start();
    let digits = trimmed.chars().take_while(|c| c.is_ascii_digit()).count();
    let after_digits = trimmed[digits..].chars().next();
    let indent = escaped.len() - trimmed.len();
    if trimmed.starts_with(['-', '+', '=']) {
        format!("{}\\{}", &escaped[..indent], trimmed)
    } else if digits > 0 && after_digits == Some('.') {
        let at = indent + digits;
        format!("{}\\{}", &escaped[..at], &escaped[at..])
    } else {
        escaped.to_string()
    }
}

/// A code span holding `s` literally, whatever backticks it contains.
pub(crate) fn code(s: &str, in_cell: bool) -> String {
    let s: String = s
        .chars()
        .flat_map(|c| -> Vec<char> {
            match c {
                '\n' | '\r' => vec![' '],
                c if c.is_control() && c != '\t' => c.escape_default().collect(),
                c => vec![c],
            }
        })
        .collect();
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // A span that starts or ends with a backtick needs a space inside the fence, which
    // CommonMark strips again.
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        " "
    } else {
        ""
    };
    let body = if in_cell { s.replace('|', "\\|") } else { s };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// A rule's message: its `code` spans stay code, the rest is escaped text. With an odd
/// number of backticks the pairing is unknowable, and all of it is text.
pub(crate) fn inline(s: &str, in_cell: bool) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return text(s);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                code(part, in_cell)
            } else {
                text(part)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(text("a|b"), "a\\|b");
        assert_eq!(text("<script>&amp;"), "&lt;script&gt;&amp;amp;");
        assert_eq!(text("multi\nline"), "multi<br>line");
        assert_eq!(text("crlf\r\nend"), "crlf<br>end");
        assert_eq!(text("`tick`"), "\\`tick\\`");
        assert_eq!(text("@team #1 $x$"), "\\@team \\#1 \\$x\\$");
        assert_eq!(text("esc\u{1b}[0m"), "esc\\u{1b}\\[0m");
    }

    #[test]
    fn code_spans_hold_any_text() {
        assert_eq!(code("a", false), "`a`");
        assert_eq!(code("a`b", false), "``a`b``");
        assert_eq!(code("`x", false), "`` `x ``");
        assert_eq!(code("a|b", true), "`a\\|b`");
        assert_eq!(code("two\nlines", false), "`two lines`");
        assert_eq!(code("\u{1b}[1m", false), "`\\u{1b}[1m`");
    }

    #[test]
    fn messages_keep_their_code() {
        assert_eq!(
            inline("declared `queue` but <b>", false),
            "declared `queue` but &lt;b&gt;"
        );
        assert_eq!(inline("odd ` tick", false), "odd \\` tick");
    }

    #[test]
    fn lines_that_look_like_blocks() {
        assert_eq!(line_start("- item"), "\\- item");
        assert_eq!(line_start("12. first"), "12\\. first");
        assert_eq!(line_start("plain"), "plain");
    }
}
