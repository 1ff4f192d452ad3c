//! File paths as CI consumers want them: relative to the repository root (`--root`,
//! by default the current folder), with `/` separators. GitHub and GitLab match these
//! paths against the checked-out tree, so `./a.yaml`, `a.yaml` and `/abs/repo/a.yaml`
//! must all become `a.yaml`.

use std::path::{Component, Path, PathBuf};

pub struct Paths {
    cwd: PathBuf,
    root: PathBuf,
}

/// Where a path ended up relative to the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Relative {
    /// Inside the root: `dir/file.yaml`.
    Inside(String),
    /// Outside the root: the path as given, with `/` separators.
    Outside(String),
}

impl Relative {
    pub fn as_str(&self) -> &str {
        match self {
            Relative::Inside(s) | Relative::Outside(s) => s,
        }
    }
}

impl Paths {
    /// `root` defaults to the current folder; a relative root is taken from there.
    pub fn new(root: Option<&Path>) -> std::io::Result<Paths> {
        let cwd = std::env::current_dir()?;
        Ok(Paths::with_cwd(&cwd, root))
    }

    pub fn with_cwd(cwd: &Path, root: Option<&Path>) -> Paths {
        let cwd = normalize(cwd);
        let root = match root {
            Some(r) => normalize(&cwd.join(r)),
            None => cwd.clone(),
        };
        Paths { cwd, root }
    }

    pub fn relative(&self, file: &str) -> Relative {
        // Lexical, not `canonicalize`: the file may be gone by the time the report is
        // read, and resolving symlinks would leak machine paths into the output.
        let absolute = normalize(&self.cwd.join(file));
        match absolute.strip_prefix(&self.root) {
            Ok(rest) if rest.as_os_str().is_empty() => Relative::Outside(slashes(file)),
            Ok(rest) => Relative::Inside(
                rest.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/"),
            ),
            Err(_) => Relative::Outside(slashes(file)),
        }
    }

    /// The path for a report: root-relative, or as given when outside the root.
    pub fn display(&self, file: &str) -> String {
        self.relative(file).as_str().to_string()
    }
}

fn slashes(path: &str) -> String {
    path.replace('\\', "/")
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Percent-encodes a `/`-separated path for a URI reference (RFC 3986 `path` characters
/// stay as they are).
pub fn uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'/'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_to_root() {
        let p = Paths::with_cwd(Path::new("/repo/sub"), None);
        assert_eq!(p.relative("a.yaml"), Relative::Inside("a.yaml".into()));
        assert_eq!(
            p.relative("./x/../a.yaml"),
            Relative::Inside("a.yaml".into())
        );
        assert_eq!(
            p.relative("/repo/sub/arch/a.yaml"),
            Relative::Inside("arch/a.yaml".into())
        );
        assert_eq!(
            p.relative("../other.yaml"),
            Relative::Outside("../other.yaml".into())
        );
        let p = Paths::with_cwd(Path::new("/repo/sub"), Some(Path::new("..")));
        assert_eq!(
            p.relative("arch/a.yaml"),
            Relative::Inside("sub/arch/a.yaml".into())
        );
        assert_eq!(
            p.relative("../other.yaml"),
            Relative::Inside("other.yaml".into())
        );
        assert_eq!(
            p.relative("/elsewhere/b.yaml"),
            Relative::Outside("/elsewhere/b.yaml".into())
        );
    }

    #[test]
    fn uri_encoding() {
        assert_eq!(uri_path("a b/c%d#e?.yaml"), "a%20b/c%25d%23e%3F.yaml");
        assert_eq!(uri_path("주.yaml"), "%EC%A3%BC.yaml");
        assert_eq!(uri_path("x/y-z_1.~yaml"), "x/y-z_1.~yaml");
    }
}
