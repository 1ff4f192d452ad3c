//! `--format json`: FORMAT.md §4, field for field. Fields beyond the contract are added,
//! never renamed.

use super::interaction_rows;
use crate::analysis::Analysis;
use crate::finding::{Location, Severity};
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct Interaction<'a> {
    id: &'a str,
    from: &'a str,
    to: &'a str,
    recommended: Option<&'static str>,
    declared: Option<&'static str>,
    path: &'a [&'static str],
    reasons: &'a [String],
    location: Location,
}

#[derive(Serialize)]
struct Summary {
    interactions: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    suppressed: usize,
}

/// `--format json`.
pub struct Json;

impl super::Emitter for Json {
    fn emit(
        &self,
        out: &mut dyn Write,
        analysis: &Analysis,
        _: &super::Context,
    ) -> std::io::Result<()> {
        write(analysis, out)
    }
}

pub fn render(analysis: &Analysis) -> String {
    let mut out = Vec::new();
    write(analysis, &mut out).expect("writing to memory does not fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Streams the report exactly as `serde_json::to_writer_pretty` would print it whole,
/// without holding it whole in memory, and with the findings serialised on a second core
/// while the interactions are written.
pub fn write(analysis: &Analysis, out: &mut dyn Write) -> std::io::Result<()> {
    let model = &analysis.model;
    let summary = Summary {
        interactions: model.interactions.len(),
        errors: analysis.count(Severity::Error),
        warnings: analysis.count(Severity::Warning),
        infos: analysis.count(Severity::Info),
        suppressed: analysis.suppressed(),
    };
    let files: Vec<&str> = model.files.iter().map(|f| &*f.path).collect();
    let interactions = interaction_rows(analysis).into_iter().map(|r| Interaction {
        id: r.id,
        from: r.from,
        to: r.to,
        recommended: r.recommended,
        declared: r.declared,
        path: r.path,
        reasons: r.reasons,
        location: r.location,
    });

    let mut w = Pretty::new(out);
    w.raw(b"{")?;
    w.field("version", &1u32, true)?;
    w.field("system", &model.system.as_deref(), false)?;
    w.field("files", &files, false)?;
    w.array("interactions", interactions)?;

    let findings = &analysis.findings;
    let parallel =
        std::thread::available_parallelism().is_ok_and(|n| n.get() > 1) && findings.len() > 1000;
    if parallel {
        std::thread::scope(|scope| -> std::io::Result<()> {
            let (send, receive) = std::sync::mpsc::sync_channel::<Vec<u8>>(8);
            scope.spawn(move || {
                let mut chunk = Vec::with_capacity(CHUNK_ROOM);
                for (index, f) in findings.iter().enumerate() {
                    array_item(&mut chunk, f, index == 0);
                    if chunk.len() >= CHUNK {
                        let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK_ROOM));
                        // The writer stopped (a closed pipe): nothing more is wanted.
                        if send.send(full).is_err() {
                            return;
                        }
                    }
                }
                let _ = send.send(chunk);
            });
            // `receive` is dropped when this returns, early or not, which stops the sender.
            w.raw(b",\n  \"findings\": [")?;
            for chunk in receive {
                w.raw(&chunk)?;
            }
            w.raw(b"\n  ]")
        })?;
    } else {
        w.array("findings", findings.iter())?;
    }
    w.field("summary", &summary, false)?;
    w.raw(b"\n}\n")?;
    w.flush()
}

/// Bytes of serialised findings handed over at a time.
const CHUNK: usize = 1 << 20;
/// A chunk's room: the item that fills a chunk goes past `CHUNK`, and a chunk of exactly
/// `CHUNK` bytes was copied into a new one of twice the size each time (a 235 MB report
/// copied once more, into freshly faulted pages).
const CHUNK_ROOM: usize = 2 * CHUNK;

/// serde_json's pretty layout, written field by field at the report's top level.
struct Pretty<'o> {
    out: &'o mut dyn Write,
    buffer: Vec<u8>,
}

impl<'o> Pretty<'o> {
    fn new(out: &'o mut dyn Write) -> Pretty<'o> {
        Pretty {
            out,
            buffer: Vec::with_capacity(CHUNK_ROOM),
        }
    }

    fn raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.buffer.extend_from_slice(bytes);
        self.spill()
    }

    fn spill(&mut self) -> std::io::Result<()> {
        if self.buffer.len() >= CHUNK {
            self.out.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.write_all(&self.buffer)?;
        self.buffer.clear();
        self.out.flush()
    }

    fn field(&mut self, name: &str, value: &impl Serialize, first: bool) -> std::io::Result<()> {
        self.buffer
            .extend_from_slice(if first { b"\n  \"" } else { b",\n  \"" });
        self.buffer.extend_from_slice(name.as_bytes());
        self.buffer.extend_from_slice(b"\": ");
        indented(&mut self.buffer, value, 1);
        self.spill()
    }

    fn array<T: Serialize>(
        &mut self,
        name: &str,
        items: impl Iterator<Item = T>,
    ) -> std::io::Result<()> {
        self.buffer.extend_from_slice(b",\n  \"");
        self.buffer.extend_from_slice(name.as_bytes());
        self.buffer.extend_from_slice(b"\": [");
        let mut empty = true;
        for item in items {
            array_item(&mut self.buffer, &item, empty);
            empty = false;
            self.spill()?;
        }
        self.buffer
            .extend_from_slice(if empty { b"]" } else { b"\n  ]" });
        self.spill()
    }
}

/// One element of a top-level array, as serde_json's pretty printer places it.
fn array_item(out: &mut Vec<u8>, item: &impl Serialize, first: bool) {
    out.extend_from_slice(if first { b"\n    " } else { b",\n    " });
    indented(out, item, 2);
}

/// `value` as serde_json's pretty printer prints it at `depth` levels of nesting.
fn indented(out: &mut Vec<u8>, value: &impl Serialize, depth: usize) {
    let mark = out.len();
    let mut serializer = serde_json::Serializer::with_formatter(
        &mut *out,
        Nested {
            depth,
            has_value: false,
        },
    );
    if value.serialize(&mut serializer).is_err() {
        // Only maps with non-string keys fail, and the report has none.
        out.truncate(mark);
        out.extend_from_slice(b"null");
    }
}

/// serde_json's `PrettyFormatter` (two spaces a level), starting `depth` levels in, so
/// that each part of the report is written where the whole report would put it.
struct Nested {
    depth: usize,
    has_value: bool,
}

impl Nested {
    fn newline<W: ?Sized + Write>(&self, w: &mut W, comma: bool) -> std::io::Result<()> {
        w.write_all(if comma { b",\n" } else { b"\n" })?;
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(w, false)?;
        }
        w.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.newline(w, !first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(w, false)?;
        }
        w.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.newline(w, !first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_by_field_layout_is_serde_jsons_pretty_layout() {
        #[derive(Serialize)]
        struct Whole<'a> {
            version: u32,
            system: Option<&'a str>,
            files: Vec<&'a str>,
            interactions: Vec<serde_json::Value>,
            findings: Vec<serde_json::Value>,
            summary: serde_json::Value,
        }
        let nested = serde_json::json!({
            "a": [1, {"b": "line\nbreak \"quoted\""}],
            "empty": [], "obj": {}, "n": null
        });
        for (interactions, findings) in [
            (vec![], vec![]),
            (vec![nested.clone()], vec![]),
            (
                vec![nested.clone(), serde_json::json!({})],
                vec![nested.clone(); 3],
            ),
        ] {
            let whole = Whole {
                version: 1,
                system: Some("sys\n\u{1F600}"),
                files: vec!["a.yaml", "b \"c\".yaml"],
                interactions: interactions.clone(),
                findings: findings.clone(),
                summary: serde_json::json!({ "errors": 0, "list": [1, 2] }),
            };
            let expected = serde_json::to_string_pretty(&whole).unwrap() + "\n";
            let mut bytes = Vec::new();
            let mut w = Pretty::new(&mut bytes);
            w.raw(b"{").unwrap();
            w.field("version", &1u32, true).unwrap();
            w.field("system", &whole.system, false).unwrap();
            w.field("files", &whole.files, false).unwrap();
            w.array("interactions", interactions.iter()).unwrap();
            w.array("findings", findings.iter()).unwrap();
            w.field("summary", &whole.summary, false).unwrap();
            w.raw(b"\n}\n").unwrap();
            w.flush().unwrap();
            assert_eq!(String::from_utf8(bytes).unwrap(), expected);
        }
    }
}
