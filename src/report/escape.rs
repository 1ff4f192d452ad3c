//! Untrusted text (names, paths, messages that quote them, command-line arguments) made
//! safe for the output it goes to. Each format escapes for its own syntax (XML, JSON,
//! Markdown, workflow commands); these two keep control characters from reaching a
//! terminal or a CI log raw: ESC and the C1 controls start terminal sequences (colours,
//! OSC 8 links, window titles), BEL rings, and a line break lets a name start a line of
//! its own, which GitHub runs as a workflow command when it starts with `::`.

use std::borrow::Cow;

/// Every control character written as Rust writes it in a string (`\n`, `\u{1b}`), so
/// that the text stays on one line and shows what is there.
pub fn one_line(s: &str) -> Cow<'_, str> {
    escape_if(s, char::is_control)
}

/// As [`one_line`], but line breaks and tabs are kept: for text that is meant to span
/// lines (a diagnostic with its chain of causes).
pub fn visible(s: &str) -> Cow<'_, str> {
    escape_if(s, |c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

fn escape_if(s: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if escape(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_show_as_escapes() {
        assert_eq!(one_line("a\nb\r\tc"), "a\\nb\\r\\tc");
        assert_eq!(
            one_line("\u{1b}]8;;http://x\u{7}link\u{9d}"),
            "\\u{1b}]8;;http://x\\u{7}link\\u{9d}"
        );
        assert!(matches!(one_line("plain é"), Cow::Borrowed(_)));
        assert_eq!(visible("one\ntwo\u{1b}[2J\t"), "one\ntwo\\u{1b}[2J\t");
    }
}
