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
/// How deep `**` looks below the fixed part of a pattern.
const MAX_PATTERN_DEPTH: usize = 32;
/// Files and directories one pattern may walk (`**` at the top of a large checkout).
const MAX_VISITED: usize = 100_000;

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
    /// A safety limit (`M013`) rather than an entry that is wrong (`M020`).
    pub limit: bool,
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
            limit: false,
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
        limit: false,
    })?;
    if meta.is_dir() {
        return Err(Problem {
            message: format!("cannot include `{entry}`: `{display}` is a directory"),
            label: "a directory",
            help: format!(
                "include the files in it, e.g. `{}/*.yaml`",
                entry.trim_end_matches('/')
            ),
            limit: false,
        });
    }
    if !meta.is_file() {
        return Err(Problem {
            message: format!("cannot include `{entry}`: `{display}` is not a regular file"),
            label: "not a regular file",
            help: "include architecture files only".into(),
            limit: false,
        });
    }
    let canonical = std::fs::canonicalize(&path).map_err(|e| Problem {
        message: format!("cannot include `{entry}`: {e}"),
        label: "cannot be read",
        help: "check the file's permissions".into(),
        limit: false,
    })?;
    if !canonical.starts_with(including.root_dir) {
        return Err(outside(entry, &display, including));
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
        limit: false,
    };
    glob::Pattern::new(entry)
        .map_err(|e| invalid(format!("{} at character {}", e.msg, e.pos + 1)))?;
    // The components before the first one with a metacharacter are a directory to walk
    // (`../shared` in `../shared/*.yaml`); the others are matched below it.
    let components: Vec<&str> = entry.split('/').collect();
    let fixed_len = components.iter().take_while(|c| !is_pattern(c)).count();
    let mut walk_root = base.join(components[..fixed_len].join("/"));
    if walk_root.as_os_str().is_empty() {
        walk_root = PathBuf::from(".");
    }
    let rest = components[fixed_len..].join("/");
    let pattern = glob::Pattern::new(&rest).map_err(|e| invalid(e.msg.to_string()))?;
    let no_match = || Problem {
        message: format!("`{entry}` matches no file"),
        label: "matches nothing",
        help: "the pattern is relative to the directory of the file that includes it".into(),
        limit: false,
    };
    match std::fs::canonicalize(&walk_root) {
        Ok(dir) if !dir.starts_with(including.root_dir) => {
            return Err(outside(entry, &display(&walk_root), including))
        }
        Ok(_) => {}
        Err(_) => return Err(no_match()),
    }
    let mut targets = Vec::new();
    for path in walk(entry, &walk_root, &components[fixed_len..], MAX_VISITED)? {
        let Ok(relative) = path.strip_prefix(&walk_root) else {
            continue;
        };
        if !pattern.matches_path_with(relative, MATCH) {
            continue;
        }
        let target = resolve_path(entry, path, including)?;
        // Not the including file itself (`*.yaml` beside the root).
        if target.canonical != including.canonical {
            targets.push(target);
        }
        if targets.len() > MAX_FILES {
            break;
        }
    }
    if targets.is_empty() {
        return Err(no_match());
    }
    // The report's file order follows this one, whatever order the walk had.
    targets.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(targets)
}

const MATCH: glob::MatchOptions = glob::MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    // As in a shell: `*` does not match hidden files.
    require_literal_leading_dot: true,
};

/// The regular files under `root` that a pattern of `components` may match, in
/// alphabetical order, with the links among them that point at regular files. Linked
/// directories and hidden ones are not entered: a link can lead out of the project or
/// around in a loop, and a tree of links can be exponentially larger than it looks. The
/// walk is bounded by the pattern's depth (or [`MAX_PATTERN_DEPTH`] under `**`) and by
/// `max_visited` entries.
fn walk(
    entry: &str,
    root: &Path,
    components: &[&str],
    max_visited: usize,
) -> Result<Vec<PathBuf>, Problem> {
    let depth = if components.contains(&"**") {
        MAX_PATTERN_DEPTH
    } else {
        components.len()
    };
    let walker = walkdir::WalkDir::new(root)
        .max_depth(depth)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    let mut files = Vec::new();
    for (visited, item) in walker.enumerate() {
        if visited >= max_visited {
            return Err(Problem {
                message: format!("`{entry}` walks more than {max_visited} files and directories"),
                label: "not read",
                help: "narrow the pattern to the directory of the team files".into(),
                limit: true,
            });
        }
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                return Err(Problem {
                    message: format!("cannot include `{entry}`: {e}"),
                    label: "cannot be read",
                    help: "check the directory's permissions".into(),
                    limit: false,
                })
            }
        };
        // Directories and special files (a FIFO would block) are not meant.
        let is_file = item.file_type().is_file()
            || item.path_is_symlink() && std::fs::metadata(item.path()).is_ok_and(|m| m.is_file());
        if is_file {
            files.push(item.into_path());
        }
    }
    Ok(files)
}

fn outside(entry: &str, display: &str, including: &Including) -> Problem {
    Problem {
        message: format!(
            "cannot include `{entry}`: `{display}` is outside `{}`, the directory of the file given on the command line",
            including.root_dir.display()
        ),
        label: "outside the project",
        help: "move the file under that directory, or give it on the command line".into(),
        limit: false,
    }
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

    #[test]
    fn a_walk_stops_at_its_bound() {
        let dir = std::env::temp_dir().join(format!("commsplan-walk-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("d")).unwrap();
        for i in 0..20 {
            std::fs::write(dir.join(format!("d/f{i:02}.yaml")), "").unwrap();
        }
        let all = walk("**/*.yaml", &dir, &["**", "*.yaml"], 100).unwrap();
        assert_eq!(all.len(), 20);
        assert!(all.windows(2).all(|w| w[0] < w[1]), "alphabetical");
        let bounded = walk("**/*.yaml", &dir, &["**", "*.yaml"], 10).unwrap_err();
        assert!(bounded.limit);
        assert_eq!(
            bounded.message,
            "`**/*.yaml` walks more than 10 files and directories"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
