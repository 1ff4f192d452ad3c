//! `include:` entries: from the text written in a file to the files it names.
//!
//! An entry is a path or a glob pattern relative to the including file's directory. It
//! must not be absolute, and what it names must lie inside the directory of the file
//! given on the command line (after symbolic links are followed): the result must not
//! depend on the machine, and a file cannot make commsplan read `/dev/zero` or another
//! project's secrets. Only regular files are read, so that a FIFO cannot block the run.

use serde_json::Value;
use std::path::{Component, Path, PathBuf};

/// Includes nested deeper than this are a mistake (or a generated attack): no team
/// structure needs them.
pub(super) const MAX_DEPTH: usize = 16;
/// Files read in one run through `include`, all trees together.
pub(super) const MAX_FILES: usize = 1000;

/// One entry of a file's `include` list, as written.
pub(super) struct Entry {
    pub index: usize,
    pub text: String,
}

/// The entries that can be followed. Entries of the wrong type or empty are schema
/// errors, already reported.
pub(super) fn entries(doc: &Value) -> Vec<Entry> {
    let Some(items) = doc.get("include").and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(index, item)| {
            let text = item.as_str().filter(|t| !t.is_empty())?;
            Some(Entry {
                index,
                text: text.to_string(),
            })
        })
        .collect()
}

/// A file an entry names.
#[derive(Debug)]
pub(super) struct Target {
    /// For reports: the including file's path as shown, joined with the entry.
    pub display: String,
    /// For reading.
    pub path: PathBuf,
    /// For telling files apart: a file reached twice is read once, and one reached again
    /// while it is being read closes a cycle.
    pub canonical: PathBuf,
}

/// Why an entry cannot be followed.
#[derive(Debug, PartialEq)]
pub(super) struct Problem {
    pub message: String,
    pub label: &'static str,
    pub help: String,
}

/// Where the including file is and what it may reach.
pub(super) struct Including<'a> {
    /// The including file's path as given (relative to the working directory).
    pub path: &'a Path,
    pub canonical: &'a Path,
    /// The canonical directory of the file given on the command line.
    pub root_dir: &'a Path,
}

/// The files `entry` names, in the order they are to be read.
pub(super) fn resolve(entry: &str, including: &Including) -> Result<Vec<Target>, Problem> {
    if Path::new(entry).is_absolute() {
        return Err(Problem {
            message: format!("cannot include `{entry}`: the path is absolute"),
            label: "absolute path",
            help: "write the path relative to this file's directory".into(),
        });
    }
    let base = including.path.parent().unwrap_or(Path::new(""));
    if is_pattern(entry) {
        resolve_pattern(entry, base, including)
    } else {
        resolve_path(entry, base.join(entry), including).map(|t| vec![t])
    }
}

fn is_pattern(entry: &str) -> bool {
    entry.contains(['*', '?', '['])
}

fn resolve_path(entry: &str, path: PathBuf, including: &Including) -> Result<Target, Problem> {
    let display = display(&path);
    // `metadata` does not open the file: a FIFO is recognised without blocking on it.
    let meta = std::fs::metadata(&path).map_err(|e| Problem {
        message: match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!("cannot include `{entry}`: no file `{display}`")
            }
            _ => format!("cannot include `{entry}`: {e}"),
        },
        label: "no such file",
        help: "the path is relative to the directory of the file that includes it".into(),
    })?;
    if meta.is_dir() {
        return Err(Problem {
            message: format!("cannot include `{entry}`: `{display}` is a directory"),
            label: "a directory",
            help: format!(
                "include the files in it, e.g. `{}/*.yaml`",
                entry.trim_end_matches('/')
            ),
        });
    }
    if !meta.is_file() {
        return Err(Problem {
            message: format!("cannot include `{entry}`: `{display}` is not a regular file"),
            label: "not a regular file",
            help: "include architecture files only".into(),
        });
    }
    let canonical = std::fs::canonicalize(&path).map_err(|e| Problem {
        message: format!("cannot include `{entry}`: {e}"),
        label: "cannot be read",
        help: "check the file's permissions".into(),
    })?;
    if !canonical.starts_with(including.root_dir) {
        return Err(Problem {
            message: format!(
                "cannot include `{entry}`: `{display}` is outside `{}`, the directory of the file given on the command line",
                including.root_dir.display()
            ),
            label: "outside the project",
            help: "move the file under that directory, or give it on the command line".into(),
        });
    }
    Ok(Target {
        display,
        path,
        canonical,
    })
}

fn resolve_pattern(
    entry: &str,
    base: &Path,
    including: &Including,
) -> Result<Vec<Target>, Problem> {
    let invalid = |message: String| Problem {
        message: format!("cannot include `{entry}`: {message}"),
        label: "invalid pattern",
        help: "patterns use `*`, `**`, `?` and `[...]`; match a literal `[` with `[[]`".into(),
    };
    glob::Pattern::new(entry)
        .map_err(|e| invalid(format!("{} at character {}", e.msg, e.pos + 1)))?;
    let Some(base_text) = base.to_str() else {
        return Err(invalid(
            "the including file's directory is not UTF-8".into(),
        ));
    };
    // The directory is matched literally, whatever characters its name has.
    let pattern = if base_text.is_empty() {
        entry.to_string()
    } else {
        format!("{}/{entry}", glob::Pattern::escape(base_text))
    };
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        // As in a shell: `*` does not match hidden files.
        require_literal_leading_dot: true,
    };
    let paths = glob::glob_with(&pattern, options).map_err(|e| invalid(e.msg.to_string()))?;
    let mut targets = Vec::new();
    for found in paths {
        let path = found.map_err(|e| Problem {
            message: format!("cannot include `{entry}`: {e}"),
            label: "cannot be read",
            help: "check the directory's permissions".into(),
        })?;
        // A pattern names files: the directories and special files it also matches are
        // not meant, nor the including file itself (`*.yaml` beside the root).
        if !std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            continue;
        }
        let target = resolve_path(entry, path, including)?;
        if target.canonical != including.canonical {
            targets.push(target);
        }
        if targets.len() > MAX_FILES {
            break;
        }
    }
    if targets.is_empty() {
        return Err(Problem {
            message: format!("`{entry}` matches no file"),
            label: "matches nothing",
            help: "the pattern is relative to the directory of the file that includes it".into(),
        });
    }
    // The crate yields directory by directory in alphabetical order; the order of the
    // whole list is made explicit here, as the report's file order follows it.
    targets.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(targets)
}

/// The path as reports show it: `./` steps left out, nothing else changed (`..` stays,
/// as folding it would be wrong after a symbolic link).
fn display(path: &Path) -> String {
    let kept: PathBuf = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    kept.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_glob_metacharacters_make_a_pattern() {
        assert!(is_pattern("teams/*.yaml"));
        assert!(is_pattern("team-[ab].yaml"));
        assert!(!is_pattern("teams/orders.yaml"));
    }

    #[test]
    fn shown_paths_drop_current_directory_steps_only() {
        assert_eq!(display(Path::new("./a/./b.yaml")), "a/b.yaml");
        assert_eq!(display(Path::new("a/../b.yaml")), "a/../b.yaml");
    }

    #[test]
    fn absolute_entries_are_refused_before_touching_the_disk() {
        let here = Path::new("/");
        let including = Including {
            path: Path::new("system.yaml"),
            canonical: here,
            root_dir: here,
        };
        let problem = resolve("/dev/zero", &including).unwrap_err();
        assert_eq!(problem.label, "absolute path");
    }
}
