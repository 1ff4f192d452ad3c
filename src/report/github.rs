//! `--format github`: GitHub Actions workflow commands, one line per finding, which the
//! runner turns into annotations on the pull request:
//!
//! `::error title=D001 pattern-mismatch,file=a.yaml,line=4,endLine=4,col=12,endColumn=15::message`
//!
//! The bytes are exactly what `@actions/core` (3.0.1) writes for the same annotation:
//! the same property order, the same escaping, empty properties left out. Suppressed
//! findings are not annotated.

use super::paths::Paths;
use super::Context;
use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};
use std::io::{self, Write};

/// `--format github`.
pub struct Github;

impl super::Emitter for Github {
    fn emit(&self, out: &mut dyn Write, analysis: &Analysis, context: &Context) -> io::Result<()> {
        for finding in analysis.findings.iter().filter(|f| f.suppressed.is_none()) {
            out.write_all(command(finding, context.paths).as_bytes())?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}

fn command(finding: &Finding, paths: &Paths) -> String {
    let name = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    // @actions/core's order: title, file, line, endLine, col, endColumn.
    let mut props: Vec<(&str, String)> =
        vec![("title", format!("{} {}", finding.code, finding.name))];
    if let Some(loc) = &finding.location {
        let end_line = loc.end_line.max(loc.line);
        props.push(("file", visible(&paths.display(&loc.file))));
        props.push(("line", loc.line.to_string()));
        props.push(("endLine", end_line.to_string()));
        // The runner drops columns on a multi-line range; its end column is inclusive
        // where ours is exclusive.
        if end_line == loc.line {
            props.push(("col", loc.column.to_string()));
            props.push((
                "endColumn",
                loc.end_column.saturating_sub(1).max(loc.column).to_string(),
            ));
        }
    }
    let mut message = visible(&finding.message);
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(&visible(help));
    }
    let mut line = format!("::{name}");
    let props: Vec<String> = props
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", escape_property(&v)))
        .collect();
    if !props.is_empty() {
        line.push(' ');
        line.push_str(&props.join(","));
    }
    line.push_str("::");
    line.push_str(&escape_data(&message));
    line
}

/// Control characters other than line breaks and tabs written as `\u{1b}`: a terminal
/// escape quoted from the file must not recolour or hide text in the job log.
pub fn visible(s: &str) -> String {
    super::escape::visible(s).into_owned()
}

/// `escapeData` of actions/toolkit `command.ts`: `%` first, so that the escapes it
/// adds are not escaped again.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// `escapeProperty`: as [`escape_data`], plus `:` and `,`, which delimit properties.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_matches_actions_core() {
        // The shared reference case rendered by @actions/core 3.0.1.
        assert_eq!(
            escape_data("queue 'orders.dlq': 100% full\nsecond line\r\nthird, with: colons"),
            "queue 'orders.dlq': 100%25 full%0Asecond line%0D%0Athird, with: colons"
        );
        assert_eq!(
            escape_property("deploy/rabbit,mq/defs:v2.json"),
            "deploy/rabbit%2Cmq/defs%3Av2.json"
        );
        assert_eq!(
            escape_property("DLX: missing, 50%"),
            "DLX%3A missing%2C 50%25"
        );
        // `%0A` typed by a user must survive as text, not turn into a newline.
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(escape_data("a :: b = c"), "a :: b = c");
        assert_eq!(
            visible("\u{1b}[31mred\u{7}\ttab\r\n"),
            "\\u{1b}[31mred\\u{7}\ttab\r\n"
        );
    }
}
