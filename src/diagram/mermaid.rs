//! Writing Mermaid flowchart text that draws every label literally.
//!
//! Mermaid is lenient: text it misreads still parses and renders, just differently
//! (`"a "b""` loses its inner quotes, `#1;` becomes a control character, `&amp;` becomes
//! `&`). So every label is quoted and every character Mermaid or the HTML label could read
//! as syntax is written as one of Mermaid's entity codes, and node ids never come from
//! user text. The writer also records each label as it was meant, so a test can compare
//! it with what Mermaid actually drew.

use serde::Serialize;
use std::fmt::Write;

/// Line ends as Mermaid's HTML labels keep them: CR LF and lone CR become LF (HTML
/// turns a CR into LF anyway), and other control characters, which HTML cannot show,
/// become U+FFFD.
pub fn normalize(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

/// The text to put between the quotes of a label.
pub fn escape(text: &str) -> String {
    let text = normalize(text);
    if text.is_empty() {
        // `[""]` is a parse error; an entity-coded space draws an empty label.
        return "#32;".into();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            // Entity codes start with `#`, so a literal `#` must be one too.
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            // The label is HTML: a literal `&amp;` would show as `&`.
            '&' => out.push_str("#38;"),
            // Mermaid strips `%%{...}%%` directives anywhere in the text, quotes or not.
            '%' => out.push_str("#37;"),
            // A leading backtick turns a label into a Markdown string.
            '`' => out.push_str("#96;"),
            // Shown as a space (HTML collapses white space), but kept in the text.
            '\n' => out.push_str("#10;"),
            '\t' => out.push_str("#9;"),
            c => out.push(c),
        }
    }
    out
}

/// The label texts of a diagram as Mermaid should draw them, in the shape of the
/// `NAME.labels.json` that the validators' render script extracts from the SVG.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Labels {
    pub nodes: Vec<String>,
    pub edges: Vec<String>,
    pub clusters: Vec<String>,
}

impl Labels {
    fn push(list: &mut Vec<String>, text: &str) {
        // The extraction trims each label and skips empty ones.
        let text = normalize(text);
        let text = text.trim();
        if !text.is_empty() {
            list.push(text.to_string());
        }
    }

    /// `{"nodes": [...], "edges": [...], "clusters": [...]}`, pretty-printed.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("labels serialise");
        text.push('\n');
        text
    }
}

/// Node shapes (Mermaid's classic bracket syntax, which every Mermaid 10/11 renders).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Rect,
    Rounded,
    Stadium,
    Subroutine,
    Cylinder,
    Hexagon,
    Parallelogram,
    Trapezoid,
    Diamond,
}

impl Shape {
    fn brackets(self) -> (&'static str, &'static str) {
        match self {
            Shape::Rect => ("[", "]"),
            Shape::Rounded => ("(", ")"),
            Shape::Stadium => ("([", "])"),
            Shape::Subroutine => ("[[", "]]"),
            Shape::Cylinder => ("[(", ")]"),
            Shape::Hexagon => ("{{", "}}"),
            Shape::Parallelogram => ("[/", "/]"),
            Shape::Trapezoid => ("[/", "\\]"),
            Shape::Diamond => ("{", "}"),
        }
    }
}

/// Link styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrow {
    /// `-->`
    Solid,
    /// `==>`
    Thick,
    /// `-.->`
    Dotted,
    /// `--o`: a circle where the arrowhead would be.
    Circle,
}

impl Arrow {
    fn token(self) -> &'static str {
        match self {
            Arrow::Solid => "-->",
            Arrow::Thick => "==>",
            Arrow::Dotted => "-.->",
            Arrow::Circle => "--o",
        }
    }
}

/// Accumulates Mermaid text; counts links so that `linkStyle` can address them.
pub struct Writer {
    out: String,
    labels: Labels,
    links: usize,
    depth: usize,
}

impl Writer {
    pub fn new(header: &str) -> Writer {
        Writer {
            out: format!("{header}\n"),
            labels: Labels::default(),
            links: 0,
            depth: 1,
        }
    }

    /// A raw line (directives, `classDef`, comments); never user text.
    pub fn line(&mut self, text: &str) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    pub fn node(&mut self, id: &str, shape: Shape, text: &str, class: Option<&str>) {
        let (open, close) = shape.brackets();
        let class = class.map(|c| format!(":::{c}")).unwrap_or_default();
        self.line(&format!("{id}{open}\"{}\"{close}{class}", escape(text)));
        Labels::push(&mut self.labels.nodes, text);
    }

    /// Writes a link and returns its index for `linkStyle`.
    pub fn link(&mut self, from: &str, to: &str, arrow: Arrow, text: Option<&str>) -> usize {
        let line = match text {
            Some(t) => {
                Labels::push(&mut self.labels.edges, t);
                format!("{from} {}|\"{}\"| {to}", arrow.token(), escape(t))
            }
            None => format!("{from} {} {to}", arrow.token()),
        };
        self.line(&line);
        self.links += 1;
        self.links - 1
    }

    pub fn open_subgraph(&mut self, id: &str, title: &str) {
        self.line(&format!("subgraph {id}[\"{}\"]", escape(title)));
        Labels::push(&mut self.labels.clusters, title);
        self.depth += 1;
    }

    pub fn close_subgraph(&mut self) {
        self.depth -= 1;
        self.line("end");
    }

    /// `class a,b,c NAME`, if there are any ids.
    pub fn class(&mut self, ids: &[String], class: &str) {
        if !ids.is_empty() {
            self.line(&format!("class {} {class}", ids.join(",")));
        }
    }

    /// `linkStyle i,j,k STYLE`, if there are any links.
    pub fn link_style(&mut self, links: &[usize], style: &str) {
        if links.is_empty() {
            return;
        }
        let mut list = String::new();
        for (n, i) in links.iter().enumerate() {
            if n > 0 {
                list.push(',');
            }
            let _ = write!(list, "{i}");
        }
        self.line(&format!("linkStyle {list} {style}"));
    }

    pub fn finish(self) -> Rendered {
        Rendered {
            text: self.out,
            labels: self.labels,
        }
    }
}

/// A diagram's Mermaid text and the labels it is meant to draw.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub text: String,
    pub labels: Labels,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_mermaid_reads_as_syntax() {
        assert_eq!(
            escape(r#"Say "hi" #1; <b>&amp;</b> `x`"#),
            "Say #quot;hi#quot; #35;1; #lt;b#gt;#38;amp;#lt;/b#gt; #96;x#96;"
        );
        assert_eq!(escape("a\r\nb\rc\td"), "a#10;b#10;c#9;d");
        assert_eq!(escape(""), "#32;");
        assert_eq!(
            escape("%%{init: {}}%% 100%"),
            "#37;#37;{init: {}}#37;#37; 100#37;"
        );
        // Left as they are: they are literal inside a quoted label.
        assert_eq!(
            escape("a|b; c:d [x] {y} (z) \\ 주문"),
            "a|b; c:d [x] {y} (z) \\ 주문"
        );
    }

    #[test]
    fn control_characters_become_replacement_characters() {
        assert_eq!(normalize("a\u{1}b\u{7f}"), "a\u{FFFD}b\u{FFFD}");
    }

    #[test]
    fn writer_counts_links_and_records_labels() {
        let mut w = Writer::new("flowchart LR");
        w.open_subgraph("g0", " team \"a\" ");
        w.node("s0", Shape::Hexagon, "end", Some("gateway"));
        w.close_subgraph();
        w.node("s1", Shape::Rect, "", None);
        assert_eq!(w.link("s0", "s1", Arrow::Dotted, Some("x")), 0);
        assert_eq!(w.link("s1", "s0", Arrow::Circle, None), 1);
        w.link_style(&[0, 1], "stroke:#000");
        let r = w.finish();
        assert_eq!(
            r.text,
            "flowchart LR\n  subgraph g0[\" team #quot;a#quot; \"]\n    s0{{\"end\"}}:::gateway\n  end\n  s1[\"#32;\"]\n  s0 -.->|\"x\"| s1\n  s1 --o s0\n  linkStyle 0,1 stroke:#000\n"
        );
        assert_eq!(r.labels.nodes, ["end"]);
        assert_eq!(r.labels.edges, ["x"]);
        assert_eq!(r.labels.clusters, ["team \"a\""]);
    }
}
