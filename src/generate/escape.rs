//! Escaping for every output format, and safe names (file names, identifiers) derived
//! from user-chosen service names. Every user string that reaches a generated file goes
//! through one of these functions; the templates never see a way around them.

use sha2::{Digest, Sha256};

/// Characters no generated file should carry raw, even inside a string literal: line
/// breaks other than `\n` that some parsers honour, the byte-order mark (Go rejects it
/// in the middle of a file) and the bidirectional controls that make code read
/// differently from how it compiles.
fn is_invisible_hazard(c: char) -> bool {
    matches!(
        c,
        '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{200e}' | '\u{200f}'
            | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

fn push_u4(out: &mut String, c: char) {
    let mut buf = [0u16; 2];
    for unit in c.encode_utf16(&mut buf) {
        out.push_str(&format!("\\u{unit:04x}"));
    }
}

/// Body of a YAML double-quoted scalar (YAML 1.2 §5.7 escapes).
pub fn yaml_body(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if is_invisible_hazard(c) => push_u4(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// A complete YAML double-quoted scalar.
pub fn yaml_str(s: &str) -> String {
    format!("\"{}\"", yaml_body(s))
}

/// Body of a JSON string (RFC 8259), without the quotes.
pub fn json_body(s: &str) -> String {
    let quoted = json_str(s);
    quoted[1..quoted.len() - 1].to_string()
}

/// A complete JSON string.
pub fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_invisible_hazard(c) => push_u4(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Body of a TypeScript double-quoted string literal.
pub fn ts_body(s: &str) -> String {
    // JSON's escapes are a subset of ECMAScript's, and the hazards are escaped too.
    json_body(s)
}

pub fn ts_str(s: &str) -> String {
    json_str(s)
}

/// Body of a Go interpreted string literal; also PromQL's string literal, which is
/// unquoted with Go's rules.
pub fn go_body(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // `\x` is a byte in Go, not a code point: only for ASCII controls.
            c if c.is_ascii_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() || is_invisible_hazard(c) => {
                out.push_str(&format!("\\u{:04x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

pub fn go_str(s: &str) -> String {
    format!("\"{}\"", go_body(s))
}

/// A PromQL string literal (label values in selectors and series notation).
pub fn promql_str(s: &str) -> String {
    go_str(s)
}

/// A `.properties` value (java.util.Properties.load rules). Non-ASCII becomes `\uXXXX`
/// because `Properties.load(InputStream)` reads ISO-8859-1.
pub fn properties_value(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{c}' => out.push_str("\\f"),
            ' ' if i == 0 => out.push_str("\\ "),
            '=' | ':' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => push_u4(&mut out, c),
        }
    }
    out
}

/// Text for a one-line comment in any format: line breaks and other control or
/// direction characters are shown as escapes, so the comment cannot end early.
pub fn comment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_invisible_hazard(c) => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

/// First `n` hex digits of the SHA-256 of `s`: a stable disambiguator.
pub fn short_hash(s: &str, n: usize) -> String {
    let digest = Sha256::digest(s.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex[..n].to_string()
}

const WINDOWS_RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A DNS-label-like slug, `[a-z0-9]([a-z0-9-]*[a-z0-9])?`, at most 40 characters: safe as
/// a file name on every OS, a Kubernetes name, a Spring map key and a Kafka client id.
/// A name that loses characters on the way (anything but lower-casing) gets a short hash
/// of the original appended, so that `a/b` and `a b` do not meet as `a-b`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut base: String = out.chars().take(40).collect();
    while base.ends_with('-') {
        base.pop();
    }
    let lossy = base.is_empty() || base != name.to_ascii_lowercase();
    if base.is_empty() {
        base.push('x');
    }
    if WINDOWS_RESERVED.contains(&base.as_str()) {
        base.push_str("-x");
    }
    if lossy {
        format!("{base}-{}", short_hash(name, 6))
    } else {
        base
    }
}

/// `slug` for every name in order; a slug that two different names share gets each
/// name's hash appended (deterministic: it does not depend on the order).
pub fn unique_slugs<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<(String, String)> {
    let pairs: Vec<(String, String)> = names
        .into_iter()
        .map(|n| (n.to_string(), slug(n)))
        .collect();
    let mut count = std::collections::HashMap::<&str, usize>::new();
    for (_, s) in &pairs {
        *count.entry(s.as_str()).or_default() += 1;
    }
    let dup: std::collections::HashSet<String> = count
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(s, _)| s.to_string())
        .collect();
    pairs
        .into_iter()
        .map(|(n, s)| {
            if dup.contains(&s) {
                let h = short_hash(&n, 6);
                (n, format!("{s}-{h}"))
            } else {
                (n, s)
            }
        })
        .collect()
}

/// `lowerCamelCase` identifier from a slug: valid in TypeScript and Go.
pub fn camel(slug: &str) -> String {
    let mut out = String::new();
    for (i, word) in slug.split('-').filter(|w| !w.is_empty()).enumerate() {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            if i == 0 {
                out.push(first);
            } else {
                out.push(first.to_ascii_uppercase());
            }
            out.extend(chars);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'n');
        if out.len() > 1 {
            let upper = out[1..2].to_ascii_uppercase();
            out.replace_range(1..2, &upper);
        }
    }
    out
}

/// `UpperCamelCase` identifier from a slug (exported Go names, alert names).
pub fn pascal(slug: &str) -> String {
    let c = camel(slug);
    let mut chars = c.chars();
    match chars.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_escapes_quotes_breaks_and_hazards() {
        assert_eq!(
            yaml_str("Say \"hi\"\nnext\\ \u{2028}"),
            r#""Say \"hi\"\nnext\\ \u2028""#
        );
        assert_eq!(yaml_body("a\u{1b}b"), "a\\x1bb");
        assert_eq!(yaml_body("주문.완료"), "주문.완료");
    }

    #[test]
    fn json_round_trips_through_serde() {
        for s in [
            "plain",
            "q\"uote\\",
            "line\nbreak\r\n\ttab",
            "\u{0}\u{1f}\u{7f}\u{85}",
            "주문 ✉️",
            "\u{202e}rtl",
        ] {
            let back: String = serde_json::from_str(&json_str(s)).unwrap();
            assert_eq!(back, s);
        }
    }

    #[test]
    fn go_and_promql_literals() {
        assert_eq!(go_str("a\"b\\c\nd"), r#""a\"b\\c\nd""#);
        assert_eq!(go_body("\u{feff}"), "\\ufeff");
        // C1 controls are code points, which Go's `\x` (a byte) cannot express
        assert_eq!(go_body("\u{85}\u{1}"), "\\u0085\\x01");
        assert_eq!(promql_str("../../etc/passwd"), "\"../../etc/passwd\"");
    }

    #[test]
    fn properties_escape_separators_and_non_ascii() {
        assert_eq!(properties_value(" a=b:c#!"), "\\ a\\=b\\:c\\#\\!");
        assert_eq!(properties_value("ü\n"), "\\u00fc\\n");
        assert_eq!(properties_value("😀"), "\\ud83d\\ude00");
    }

    #[test]
    fn comments_stay_on_one_line() {
        let c = comment("line one\nline two\r\n\u{2028}x");
        assert!(!c.contains('\n') && !c.contains('\r') && !c.contains('\u{2028}'));
        assert_eq!(c, "line one\\nline two\\r\\n\\u{2028}x");
    }

    #[test]
    fn slugs_of_hostile_names_are_safe_and_distinct() {
        assert_eq!(slug("api-gateway"), "api-gateway");
        assert_eq!(slug("Order"), "order");
        let names = [
            "../../etc/passwd",
            "quote\"svc",
            "comma,colon:percent%",
            "<script>alert(1)</script>&amp;",
            "주문 서비스 ünïcødé",
            "multi\nline",
            "#1; [brackets] {braces} (parens) |pipe|",
            "..",
            ".",
            "",
            "con",
        ];
        let mut seen = std::collections::HashSet::new();
        for n in names {
            let s = slug(n);
            assert!(
                s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{n:?} -> {s:?}"
            );
            assert!(!s.starts_with('-') && !s.ends_with('-') && !s.is_empty());
            assert!(s != "con" && s != "." && s != "..");
            assert!(seen.insert(s.clone()), "{n:?} collides as {s:?}");
        }
        assert!(slug("../../etc/passwd").starts_with("etc-passwd-"));
    }

    #[test]
    fn colliding_slugs_are_disambiguated_by_hash() {
        let got = unique_slugs(["Order", "order", "billing"]);
        assert_eq!(got[2].1, "billing");
        assert_ne!(got[0].1, got[1].1);
        assert!(got[0].1.starts_with("order-") && got[1].1.starts_with("order-"));
        // the same input gives the same names
        assert_eq!(got, unique_slugs(["Order", "order", "billing"]));
    }

    #[test]
    fn identifiers() {
        assert_eq!(camel("api-gateway"), "apiGateway");
        assert_eq!(pascal("api-gateway"), "ApiGateway");
        assert_eq!(camel("1-x"), "n1X");
        assert_eq!(pascal("etc-passwd-1a2b3c"), "EtcPasswd1a2b3c");
    }
}
