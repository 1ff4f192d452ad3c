//! Files as they are in a git revision, read with the `git` command (plumbing only:
//! `rev-parse`, `ls-tree`, `cat-file --batch`, whose output formats git keeps stable
//! for scripts). They are written into a temporary folder under the same relative
//! paths, so that the loader, `include:` and commsplan.toml discovery see the
//! revision's tree as it was.

use anyhow::{bail, Context as _, Result};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};

/// A revision's files, written out; removed on drop.
pub struct Checkout {
    dir: PathBuf,
    /// The revision as the user wrote it, for reports: `HEAD~1`.
    pub label: String,
    /// Per requested file: its path in the checkout, or `None` when the revision does not
    /// have it (a file the change adds).
    pub files: Vec<(PathBuf, Option<PathBuf>)>,
}

impl Drop for Checkout {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Checkout {
    /// The display path of a file read from the checkout: `HEAD~1:examples/a.yaml`.
    pub fn display(&self, given: &Path) -> String {
        format!("{}:{}", self.label, slashes(given))
    }
}

fn git(args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .args(args)
        .stderr(Stdio::piped())
        .output()
        .context("cannot run git (is it installed and on PATH?)")?;
    if !out.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
}

/// Writes out `files` (paths as given, relative to the current folder) as they are in
/// `revision`, with the YAML files beside them and below (which `include:` may name)
/// and every commsplan.toml on the way up to the repository's top.
pub fn checkout(revision: &str, files: &[PathBuf]) -> Result<Checkout> {
    let top = PathBuf::from(
        git(&["rev-parse", "--show-toplevel"])
            .context("--base needs a git repository: run commsplan inside the checkout")?,
    );
    let commit = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{revision}^{{commit}}"),
    ])
    .map_err(|_| {
        anyhow::anyhow!(
            "`{revision}` is not a commit of this repository (try `git log --oneline` for one)"
        )
    })?;
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    let top = normalize(&top.canonicalize().unwrap_or(top));
    let cwd = normalize(&cwd.canonicalize().unwrap_or(cwd));
    let mut wanted = Vec::new();
    for file in files {
        let absolute = normalize(&cwd.join(file));
        let Ok(inside) = absolute.strip_prefix(&top) else {
            bail!(
                "{} is outside the git repository {}",
                file.display(),
                top.display()
            );
        };
        wanted.push(slashes(inside));
    }
    let candidates = tree_files(&commit, &wanted)?;
    let dir = temp_dir()?;
    let mut checkout = Checkout {
        dir,
        label: revision.to_string(),
        files: Vec::new(),
    };
    let present = write_blobs(&commit, &candidates, &checkout.dir)?;
    if !present.iter().any(|p| p == "commsplan.toml") {
        // Settings discovery stops at the revision's top, never above the checkout.
        std::fs::write(checkout.dir.join("commsplan.toml"), "")
            .context("cannot write the revision's files")?;
    }
    for (file, inside) in files.iter().zip(&wanted) {
        let found = present.contains(inside).then(|| checkout.dir.join(inside));
        checkout.files.push((file.clone(), found));
    }
    Ok(checkout)
}

/// The blobs to write: the files asked for, YAML files in their folders and below, and
/// commsplan.toml in every folder from theirs up to the top.
fn tree_files(commit: &str, wanted: &[String]) -> Result<Vec<String>> {
    let mut folders: Vec<String> = wanted.iter().map(|w| parent(w).to_string()).collect();
    folders.sort();
    folders.dedup();
    let mut args = vec![
        "ls-tree",
        "-r",
        "-z",
        "--full-tree",
        "--name-only",
        commit,
        "--",
    ];
    let specs: Vec<String> = folders
        .iter()
        .map(|f| {
            if f.is_empty() {
                ".".to_string()
            } else {
                f.clone()
            }
        })
        .collect();
    args.extend(specs.iter().map(String::as_str));
    let listing = git(&args)?;
    let mut out: Vec<String> = listing
        .split('\0')
        .filter(|p| {
            p.ends_with(".yaml")
                || p.ends_with(".yml")
                || p.ends_with("/commsplan.toml")
                || *p == "commsplan.toml"
        })
        .map(str::to_string)
        .collect();
    for folder in &folders {
        let mut at = folder.as_str();
        loop {
            out.push(if at.is_empty() {
                "commsplan.toml".to_string()
            } else {
                format!("{at}/commsplan.toml")
            });
            if at.is_empty() {
                break;
            }
            at = parent(at);
        }
    }
    out.extend(wanted.iter().cloned());
    out.sort();
    out.dedup();
    Ok(out)
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Asks `git cat-file --batch` for `COMMIT:PATH` of each path and writes the blobs that
/// exist under `dir`. Returns the paths written.
fn write_blobs(commit: &str, paths: &[String], dir: &Path) -> Result<Vec<String>> {
    let mut child = Command::new("git")
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot run git cat-file")?;
    let mut stdin = child.stdin.take().context("git cat-file has no input")?;
    let request: String = paths.iter().map(|p| format!("{commit}:{p}\n")).collect();
    // A separate writer: git answers while it reads, and both pipes must keep moving.
    let writer = std::thread::spawn(move || stdin.write_all(request.as_bytes()));
    let mut reader = BufReader::new(child.stdout.take().context("git cat-file has no output")?);
    let mut written = Vec::new();
    for path in paths {
        let mut header = String::new();
        reader
            .read_line(&mut header)
            .context("git cat-file stopped")?;
        let fields: Vec<&str> = header.split_whitespace().collect();
        // `<oid> blob <size>`, or `<object> missing` for a path the revision lacks.
        let (Some(&"blob"), Some(size)) = (fields.get(1), fields.get(2)) else {
            continue;
        };
        let size: usize = size.parse().context("git cat-file gave a bad size")?;
        let mut blob = vec![0; size + 1];
        reader
            .read_exact(&mut blob)
            .context("git cat-file stopped")?;
        blob.truncate(size);
        let target = dir.join(path);
        if let Some(folder) = target.parent() {
            std::fs::create_dir_all(folder).context("cannot write the revision's files")?;
        }
        std::fs::write(&target, blob).context("cannot write the revision's files")?;
        written.push(path.clone());
    }
    let _ = writer.join();
    let _ = child.wait();
    Ok(written)
}

fn temp_dir() -> Result<PathBuf> {
    let base = std::env::temp_dir();
    for attempt in 0..100u32 {
        let dir = base.join(format!("commsplan-diff-{}-{attempt}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).context("cannot create a temporary folder"),
        }
    }
    bail!("cannot create a temporary folder in {}", base.display())
}

/// `a/./b/../c` as `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn slashes(path: &Path) -> String {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}
