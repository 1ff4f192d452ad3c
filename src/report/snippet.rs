//! The source lines a table finding quotes, found through a line index built once per
//! file: a finding costs the lines it shows, never a scan of the file. Line breaks are
//! YAML's (`\n`, `\r\n` and a lone `\r`, YAML 1.2 §5.4), as the parser counts them, so
//! that the table and the other formats give a finding the same line.

use crate::finding::Location;
use std::ops::Range;

/// Characters between two entries of [`LineIndex::checkpoints`]: a column is turned into
/// a byte offset by walking at most this many characters.
const STRIDE: usize = 64;

/// A quoted line longer than this many bytes is cut around the finding's column.
const LONG_LINE: usize = 1024;
/// Bytes kept on each side of the column when a line is cut; more than a terminal shows.
const MARGIN: usize = 256;

/// The lines of one file.
pub struct LineIndex {
    /// Byte offset where each line starts.
    line_bytes: Vec<usize>,
    /// Character index (in the whole text) where each line starts.
    line_chars: Vec<usize>,
    /// Byte offset of every `STRIDE`-th character of the text.
    checkpoints: Vec<usize>,
    /// The text's length in bytes and in characters.
    end_byte: usize,
    end_char: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut index = LineIndex {
            line_bytes: vec![0],
            line_chars: vec![0],
            checkpoints: Vec::with_capacity(text.len() / STRIDE + 1),
            end_byte: text.len(),
            end_char: 0,
        };
        let bytes = text.as_bytes();
        let mut chars = 0;
        for (byte, c) in text.char_indices() {
            if chars % STRIDE == 0 {
                index.checkpoints.push(byte);
            }
            chars += 1;
            let breaks = c == '\n' || (c == '\r' && bytes.get(byte + 1) != Some(&b'\n'));
            if breaks && byte + 1 < text.len() {
                index.line_bytes.push(byte + 1);
                index.line_chars.push(chars);
            }
        }
        index.end_char = chars;
        index
    }

    /// How many lines the text has (`split_inclusive` counting: a final line break
    /// does not open another line).
    pub fn line_count(&self) -> usize {
        self.line_bytes.len()
    }

    /// The bytes of 1-based line `n`, its line break included.
    fn raw(&self, n: usize) -> Range<usize> {
        let start = self.line_bytes[n - 1];
        let end = self.line_bytes.get(n).copied().unwrap_or(self.end_byte);
        start..end
    }

    /// Line `n` without its line break, and the break.
    fn split<'t>(&self, text: &'t str, n: usize) -> (Range<usize>, &'t str) {
        let raw = self.raw(n);
        let line = &text[raw.clone()];
        let content = line.trim_end_matches(['\n', '\r']);
        (raw.start..raw.start + content.len(), &line[content.len()..])
    }

    /// Characters in line `n` without its line break.
    fn content_chars(&self, text: &str, n: usize) -> usize {
        let (content, _) = self.split(text, n);
        let next = self.line_chars.get(n).copied().unwrap_or(self.end_char);
        // Line breaks are ASCII: as many characters as bytes.
        next - self.line_chars[n - 1] - (self.raw(n).end - content.end)
    }

    /// The byte offset of 1-based character `column` of line `n`, clamped to the line.
    fn byte_of_column(&self, text: &str, n: usize, column: u32) -> usize {
        let (content, _) = self.split(text, n);
        let wanted = (column.saturating_sub(1) as usize).min(self.content_chars(text, n));
        let char_index = self.line_chars[n - 1] + wanted;
        // The one index past the last checkpoint is the end of a text whose length is a
        // multiple of the stride (a column just after the last character).
        let mut byte = self
            .checkpoints
            .get(char_index / STRIDE)
            .copied()
            .unwrap_or(self.end_byte);
        for c in text[byte..].chars().take(char_index % STRIDE) {
            byte += c.len_utf8();
        }
        byte.min(content.end)
    }
}

/// The lines a finding covers (at most a few), with the finding's byte range in them.
pub struct Window {
    pub text: String,
    pub first_line: usize,
    pub range: Range<usize>,
    /// The 1-based column the range starts at, when a long line was cut and the text no
    /// longer starts at the line's start.
    pub cut_column: Option<usize>,
}

const MAX_WINDOW_LINES: u32 = 4;

impl Window {
    pub fn new(text: &str, index: &LineIndex, loc: &Location) -> Option<Window> {
        if text.is_empty() {
            return None;
        }
        let count = index.line_count();
        let first = loc.line.max(1) as usize;
        if first > count {
            return Some(Window::past_the_end(text, index));
        }
        let wanted_last = loc
            .end_line
            .min(loc.line + MAX_WINDOW_LINES - 1)
            .max(loc.line) as usize;
        let last = wanted_last.min(count);
        let start = index.byte_of_column(text, first, loc.column);
        let end = if wanted_last == loc.end_line as usize {
            index.byte_of_column(text, last, loc.end_column)
        } else {
            index.split(text, last).0.end
        };
        let mut window = Window {
            text: String::new(),
            first_line: first,
            range: 0..0,
            cut_column: None,
        };
        let mut range = (None, None);
        for n in first..=last {
            let (content, ending) = index.split(text, n);
            // The byte the kept part of a long line is centred on.
            let anchor = match n {
                _ if n == first => start,
                _ if n == last => end,
                _ => content.start,
            };
            let kept = keep(text, &content, anchor);
            if kept != content && n == first {
                window.cut_column = Some(index.line_chars_before(text, n, start) + 1);
            }
            let offset = window.text.len();
            if n == first {
                range.0 = Some(offset + start.clamp(kept.start, kept.end) - kept.start);
            }
            if n == last {
                range.1 = Some(offset + end.clamp(kept.start, kept.end) - kept.start);
            }
            window.text.push_str(&text[kept]);
            // A lone `\r` is a line break to YAML; the snippet renderer breaks on `\n`.
            window
                .text
                .push_str(if ending == "\r" { "\n" } else { ending });
        }
        let (start, end) = (range.0.unwrap_or(0), range.1.unwrap_or(0));
        window.range = start..end.max(start);
        Some(window)
    }

    /// A location past the last line (an error at the end of the input): the last line.
    fn past_the_end(text: &str, index: &LineIndex) -> Window {
        let n = index.line_count();
        let (content, ending) = index.split(text, n);
        let kept = keep(text, &content, content.end);
        let mut shown = text[kept.clone()].to_string();
        shown.push_str(if ending == "\r" { "\n" } else { ending });
        let len = kept.len();
        Window {
            text: shown,
            first_line: n,
            range: len..len,
            cut_column: (kept != content).then(|| index.content_chars(text, n) + 1),
        }
    }
}

impl LineIndex {
    /// Characters of line `n` before byte `byte` (which is in that line).
    fn line_chars_before(&self, text: &str, n: usize, byte: usize) -> usize {
        let start = self.line_bytes[n - 1];
        let checkpoint = self.checkpoints.partition_point(|&b| b <= byte) - 1;
        let from = self.checkpoints[checkpoint].max(start);
        let base = if from == start {
            self.line_chars[n - 1]
        } else {
            checkpoint * STRIDE
        };
        base + text[from..byte].chars().count() - self.line_chars[n - 1]
    }
}

/// The part of a line's `content` a snippet shows: all of it, or for a long line the
/// bytes around `anchor`, cut at character boundaries.
fn keep(text: &str, content: &Range<usize>, anchor: usize) -> Range<usize> {
    if content.len() <= LONG_LINE {
        return content.clone();
    }
    let mut start = anchor.saturating_sub(MARGIN).max(content.start);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (anchor + MARGIN).min(content.end);
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(line: u32, column: u32, end_line: u32, end_column: u32) -> Location {
        Location {
            file: "f.yaml".into(),
            line,
            column,
            end_line,
            end_column,
        }
    }

    #[test]
    fn every_yaml_line_break_counts() {
        for text in [
            "a: 1\nb: 2\nc: 3\n",
            "a: 1\r\nb: 2\r\nc: 3\r\n",
            "a: 1\rb: 2\rc: 3\r",
        ] {
            let index = LineIndex::new(text);
            assert_eq!(index.line_count(), 3, "{text:?}");
            let w = Window::new(text, &index, &loc(2, 4, 2, 5)).unwrap();
            assert_eq!(w.first_line, 2);
            assert_eq!(&w.text[w.range.clone()], "2", "{text:?}");
            assert!(w.text.starts_with("b: 2") && w.text.ends_with('\n'));
        }
    }

    #[test]
    fn a_column_at_the_end_of_a_text_of_whole_strides_is_its_end() {
        // A text of exactly STRIDE (or 2 × STRIDE) characters, no final line break: the
        // column just past its last character has no checkpoint of its own.
        for len in [STRIDE, 2 * STRIDE] {
            let text = format!("k: {}", "x".repeat(len - 3));
            let index = LineIndex::new(&text);
            let end = len as u32 + 1;
            let w = Window::new(&text, &index, &loc(1, end, 1, end)).unwrap();
            assert_eq!(w.range, len..len, "{len}");
        }
    }

    #[test]
    fn columns_count_characters() {
        let text = "é: ünï\nk: x\n";
        let index = LineIndex::new(text);
        let w = Window::new(text, &index, &loc(1, 4, 1, 7)).unwrap();
        assert_eq!(&w.text[w.range.clone()], "ünï");
        // Past the end of a line: clamped to it.
        let w = Window::new(text, &index, &loc(2, 40, 2, 41)).unwrap();
        assert_eq!(w.range, 4..4);
        // Past the last line: the last line.
        let w = Window::new(text, &index, &loc(9, 1, 9, 1)).unwrap();
        assert_eq!((w.first_line, w.range.clone()), (2, 4..4));
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let text = format!("{}key: value{}\n", "ü".repeat(100_000), " ".repeat(100_000));
        let index = LineIndex::new(&text);
        let w = Window::new(&text, &index, &loc(1, 100_001, 1, 100_004)).unwrap();
        assert!(w.text.len() <= 2 * MARGIN + 8, "{}", w.text.len());
        assert_eq!(&w.text[w.range.clone()], "key");
        assert_eq!(w.cut_column, Some(100_001));
        let w = Window::new(&text, &index, &loc(2, 1, 2, 1)).unwrap();
        assert!(w.text.len() <= MARGIN + 8);
        assert_eq!(w.cut_column, Some(200_011));
    }
}
