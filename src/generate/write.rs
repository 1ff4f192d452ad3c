//! Writing generated files without surprises: only below `--out` (no `..`, no absolute
//! paths, no symbolic link leading out of it), never over a file that differs unless
//! `--force`, and atomically (a temporary file in the same folder, then a rename), so
//! that a reader never sees half a file.

use super::{is_ours, Generated};
use crate::source_io::{read_capped, ReadError};
use anyhow::{bail, Context as _, Result};
use std::collections::BTreeSet;
use std::fs;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Overwrite,
    Unchanged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Overwrite => "overwrite",
            Action::Unchanged => "unchanged",
        }
    }
}

pub struct Step<'a> {
    pub file: &'a Generated,
    pub target: PathBuf,
    pub action: Action,
}

/// A relative path made of plain components only.
pub fn safe_relative(path: &str) -> Result<PathBuf> {
    if path.is_empty() || path.starts_with('/') || path.contains('\\') || path.contains('\0') {
        bail!("refusing to write `{path}`: not a plain relative path");
    }
    // Split by hand: `Path::components` silently drops `.` segments.
    for seg in path.split('/') {
        if seg.is_empty() || seg == "." || seg == ".." || seg.contains(':') {
            bail!("refusing to write `{path}`: only plain names below --out are allowed");
        }
    }
    let p = Path::new(path);
    if p.components().any(|c| !matches!(c, Component::Normal(_))) {
        bail!("refusing to write `{path}`: only plain names below --out are allowed");
    }
    Ok(p.to_path_buf())
}

/// Checks that `rel`'s folders inside `root` (already canonical) stay inside it, and
/// creates the missing ones when `create` is set. Existing components are resolved
/// before anything is created below them, so a symbolic link pointing elsewhere is
/// refused before it can be written through.
fn ensure_parent(root: &Path, rel: &Path, create: bool) -> Result<PathBuf> {
    let mut dir = root.to_path_buf();
    let parent = rel.parent().unwrap_or(Path::new(""));
    for c in parent.components() {
        dir.push(c);
        match fs::symlink_metadata(&dir) {
            Ok(meta) => {
                let real = fs::canonicalize(&dir)
                    .with_context(|| format!("cannot resolve {}", dir.display()))?;
                if !real.starts_with(root) {
                    bail!(
                        "refusing to write below {}: it leads to {}, outside the output folder",
                        dir.display(),
                        real.display()
                    );
                }
                if !real.is_dir() {
                    bail!("{} exists and is not a folder", dir.display());
                }
                if meta.file_type().is_symlink() {
                    dir = real;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if create {
                    fs::create_dir(&dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                }
            }
            Err(e) => return Err(e).with_context(|| format!("cannot inspect {}", dir.display())),
        }
    }
    Ok(dir)
}

/// The output folder, created if needed, as a canonical path.
pub fn output_root(out: &Path, create: bool) -> Result<Option<PathBuf>> {
    match fs::metadata(out) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => bail!("--out {}: exists and is not a folder", out.display()),
        Err(_) if !create => return Ok(None),
        Err(_) => {
            fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?
        }
    }
    Ok(Some(fs::canonicalize(out).with_context(|| {
        format!("cannot resolve {}", out.display())
    })?))
}

/// Decides what happens to each file, refusing anything unsafe, before any write.
/// Without `force`, files that exist with other content are all listed in one error.
pub fn prepare<'a>(
    root: Option<&Path>,
    files: &'a [Generated],
    force: bool,
) -> Result<Vec<Step<'a>>> {
    let mut steps = Vec::new();
    let mut conflicts = Vec::new();
    for file in files {
        let rel = safe_relative(&file.path)?;
        let Some(root) = root else {
            steps.push(Step {
                file,
                target: rel,
                action: Action::Create,
            });
            continue;
        };
        let dir = ensure_parent(root, &rel, false)?;
        let target = dir.join(rel.file_name().unwrap_or_default());
        let action = match fs::symlink_metadata(&target) {
            Ok(m) if m.file_type().is_symlink() => bail!(
                "refusing to replace {}: it is a symbolic link",
                target.display()
            ),
            Ok(m) if m.is_dir() => bail!("{} exists and is a folder", target.display()),
            Ok(_) => {
                // Read no more than the new content: a longer file differs anyway, and a
                // FIFO or device put there is refused instead of blocking the run.
                let same = match read_capped(&target, file.content.len() as u64) {
                    Ok(old) => old == file.content.as_bytes(),
                    Err(ReadError::TooLarge { .. }) => false,
                    Err(e) => bail!("cannot read {}: {e}", target.display()),
                };
                if same {
                    Action::Unchanged
                } else {
                    if !force {
                        conflicts.push(file.path.clone());
                    }
                    Action::Overwrite
                }
            }
            Err(_) => Action::Create,
        };
        steps.push(Step {
            file,
            target,
            action,
        });
    }
    if !conflicts.is_empty() {
        bail!(
            "{} file(s) exist with other content; use --force to overwrite them:\n  {}",
            conflicts.len(),
            conflicts.join("\n  ")
        );
    }
    Ok(steps)
}

/// Writes every step that changes something.
pub fn apply(root: &Path, steps: &[Step]) -> Result<()> {
    for step in steps.iter().filter(|s| s.action != Action::Unchanged) {
        let rel = safe_relative(&step.file.path)?;
        let dir = ensure_parent(root, &rel, true)?;
        let name = rel.file_name().unwrap_or_default();
        atomic_write(&dir, &name.to_string_lossy(), step.file.content.as_bytes())?;
    }
    Ok(())
}

/// The name of the temporary file `name` is first written to: hidden, and marked as
/// this tool's so that a later run can tell it from the user's files.
fn temporary_name(name: &str) -> String {
    format!(".{name}{TEMP_MARK}{}{TEMP_SUFFIX}", std::process::id())
}

const TEMP_MARK: &str = ".commsplan-";
const TEMP_SUFFIX: &str = ".tmp";

/// Whether `name` is one of this tool's temporary files (`.NAME.commsplan-PID.tmp`).
pub fn is_temporary(name: &str) -> bool {
    let Some(rest) = name
        .strip_prefix('.')
        .and_then(|r| r.strip_suffix(TEMP_SUFFIX))
    else {
        return false;
    };
    rest.rsplit_once(TEMP_MARK).is_some_and(|(file, pid)| {
        !file.is_empty() && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
    })
}

fn atomic_write(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let target = dir.join(name);
    let tmp = dir.join(temporary_name(name));
    let result = (|| -> std::io::Result<()> {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, &target)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", target.display()));
    }
    Ok(())
}

/// A lock on an output folder, held for one run: runs that write take it exclusively,
/// `--check` and `--dry-run` shared, so that a run never sees or makes a tree that
/// mixes two runs' files. Released when dropped (and by the system if the process dies).
pub struct FolderLock {
    _file: fs::File,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockMode {
    Shared,
    Exclusive,
}

/// The file the lock is taken on: the folder itself where the system allows it, so
/// that nothing is added to the user's folder.
#[cfg(unix)]
fn lock_handle(root: &Path) -> std::io::Result<fs::File> {
    fs::File::open(root)
}

#[cfg(not(unix))]
fn lock_handle(root: &Path) -> std::io::Result<fs::File> {
    fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(root.join(".commsplan.lock"))
}

/// Locks `root`, waiting (and saying so) while another run holds it.
pub fn lock(root: &Path, mode: LockMode) -> Result<FolderLock> {
    let file = lock_handle(root).with_context(|| format!("cannot open {}", root.display()))?;
    let attempt = match mode {
        LockMode::Shared => file.try_lock_shared(),
        LockMode::Exclusive => file.try_lock(),
    };
    match attempt {
        Ok(()) => {}
        Err(fs::TryLockError::WouldBlock) => {
            eprintln!(
                "waiting for another commsplan run on {} to finish",
                root.display()
            );
            match mode {
                LockMode::Shared => file.lock_shared(),
                LockMode::Exclusive => file.lock(),
            }
            .with_context(|| format!("cannot lock {}", root.display()))?;
        }
        Err(fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", root.display()))
        }
    }
    Ok(FolderLock { _file: file })
}

/// Removes the temporary files that killed runs left in the `scopes` folders of `root`.
/// Only call it under an exclusive lock: then no other run is writing them.
pub fn remove_stale_temporaries(root: &Path, scopes: &[&str], _lock: &FolderLock) -> Result<()> {
    let mut found = Vec::new();
    for scope in scopes {
        let Ok(rel) = safe_relative(scope) else {
            continue;
        };
        let dir = root.join(rel);
        if fs::symlink_metadata(&dir).is_ok_and(|m| m.is_dir()) {
            walk(root, &dir, &mut found)?;
        }
    }
    for rel in found {
        if is_temporary(rel.rsplit('/').next().unwrap_or(&rel)) {
            let path = root.join(&rel);
            fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        }
    }
    Ok(())
}

#[derive(Debug, Default)]
pub struct Drift {
    pub stale: Vec<String>,
    pub missing: Vec<String>,
    /// Files with our header that this run would not produce.
    pub extra: Vec<String>,
}

impl Drift {
    pub fn is_clean(&self) -> bool {
        self.stale.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }
}

/// Compares `out` with what would be written. Extra files are looked for only in the
/// folders of the targets that ran (`scopes`), so that `--check --target istio` does
/// not report the other targets' files.
pub fn check(out: &Path, files: &[Generated], scopes: &[&str]) -> Result<Drift> {
    let mut drift = Drift::default();
    let planned: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    for f in files {
        let path = out.join(safe_relative(&f.path)?);
        match read_capped(&path, f.content.len() as u64) {
            Ok(old) if old == f.content.as_bytes() => {}
            Ok(_) | Err(ReadError::TooLarge { .. } | ReadError::NotRegular { .. }) => {
                drift.stale.push(f.path.clone())
            }
            Err(ReadError::Io(_)) => drift.missing.push(f.path.clone()),
        }
    }
    if out.is_dir() {
        let mut found = Vec::new();
        walk(out, out, &mut found)?;
        for rel in found {
            let top = rel.split('/').next().unwrap_or("");
            if planned.contains(rel.as_str()) || !scopes.contains(&top) {
                continue;
            }
            let name = rel.rsplit('/').next().unwrap_or(&rel);
            // A run that was killed may have left its temporary files; they are not
            // files this tool produces, and the next run removes them.
            if is_temporary(name) {
                continue;
            }
            let text = read_head(&out.join(&rel));
            if is_ours(&text) {
                drift.extra.push(rel);
            }
        }
    }
    drift.extra.sort();
    Ok(drift)
}

fn read_head(path: &Path) -> String {
    use std::io::Read;
    let mut buf = vec![0u8; 4096];
    let n = fs::File::open(path)
        .and_then(|mut f| f.read(&mut buf))
        .unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// Regular files below `dir`, relative and `/`-separated; symbolic links are not followed.
fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let ty = e.file_type()?;
        let path = e.path();
        if ty.is_dir() {
            walk(root, &path, out)?;
        } else if ty.is_file() {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            out.push(
                rel.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/"),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    struct TempDir(PathBuf);
    impl TempDir {
        fn new(tag: &str) -> TempDir {
            let p = std::env::temp_dir().join(format!(
                "commsplan-write-{tag}-{}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            let _ = fs::remove_dir_all(&p);
            fs::create_dir_all(&p).unwrap();
            TempDir(fs::canonicalize(&p).unwrap())
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn file(path: &str, content: &str) -> Generated {
        Generated {
            path: path.into(),
            template: "t",
            content: content.into(),
        }
    }

    #[test]
    fn temporary_names_are_recognised() {
        let name = temporary_name("rules.yml");
        assert!(is_temporary(&name), "{name}");
        assert!(is_temporary(".clients.go.commsplan-12.tmp"));
        for other in [
            "rules.yml",
            ".rules.yml.tmp",
            ".commsplan-12.tmp",
            ".x.commsplan-.tmp",
            ".x.commsplan-1a.tmp",
            "x.commsplan-1.tmp",
        ] {
            assert!(!is_temporary(other), "{other}");
        }
    }

    #[test]
    fn stale_temporaries_are_removed_and_ignored_by_check() {
        let t = TempDir::new("stale");
        fs::create_dir_all(t.0.join("k/sub")).unwrap();
        let ours = "# Generated by commsplan 0.1.0 from a.yaml\n";
        fs::write(t.0.join("k/sub/.f.yml.commsplan-4242.tmp"), ours).unwrap();
        fs::write(t.0.join("k/.keep.tmp"), "mine\n").unwrap();
        fs::write(t.0.join(".top.yml.commsplan-1.tmp"), ours).unwrap();
        let d = check(&t.0, &[], &["k"]).unwrap();
        assert!(d.is_clean(), "{d:?}");
        let lock = lock(&t.0, LockMode::Exclusive).unwrap();
        remove_stale_temporaries(&t.0, &["k"], &lock).unwrap();
        assert!(!t.0.join("k/sub/.f.yml.commsplan-4242.tmp").exists());
        assert!(t.0.join("k/.keep.tmp").exists(), "not ours: kept");
        assert!(
            t.0.join(".top.yml.commsplan-1.tmp").exists(),
            "outside the scopes: left alone"
        );
    }

    #[test]
    fn an_exclusive_lock_excludes_others() {
        let t = TempDir::new("lock");
        let held = lock(&t.0, LockMode::Exclusive).unwrap();
        let other = lock_handle(&t.0).unwrap();
        assert!(matches!(
            other.try_lock(),
            Err(fs::TryLockError::WouldBlock)
        ));
        assert!(matches!(
            other.try_lock_shared(),
            Err(fs::TryLockError::WouldBlock)
        ));
        drop(held);
        assert!(other.try_lock().is_ok());
    }

    #[test]
    fn relative_paths_only() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a/./b",
            "c:\\x",
            "a\\..\\b",
            "C:x",
        ] {
            assert!(safe_relative(bad).is_err(), "{bad:?} accepted");
        }
        assert!(safe_relative("typescript/web/clients.ts").is_ok());
    }

    #[test]
    fn writes_creates_folders_and_skips_unchanged() {
        let t = TempDir::new("basic");
        let files = vec![file("a/b/c.txt", "one\n")];
        let steps = prepare(Some(&t.0), &files, false).unwrap();
        assert_eq!(steps[0].action, Action::Create);
        apply(&t.0, &steps).unwrap();
        assert_eq!(fs::read_to_string(t.0.join("a/b/c.txt")).unwrap(), "one\n");
        let steps = prepare(Some(&t.0), &files, false).unwrap();
        assert_eq!(steps[0].action, Action::Unchanged);
        // no temporary file is left behind
        assert_eq!(fs::read_dir(t.0.join("a/b")).unwrap().count(), 1);
    }

    #[test]
    fn existing_different_file_needs_force() {
        let t = TempDir::new("force");
        fs::write(t.0.join("x.yaml"), "mine\n").unwrap();
        let files = vec![file("x.yaml", "theirs\n")];
        let err = prepare(Some(&t.0), &files, false)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("--force") && err.contains("x.yaml"), "{err}");
        assert_eq!(fs::read_to_string(t.0.join("x.yaml")).unwrap(), "mine\n");
        let steps = prepare(Some(&t.0), &files, true).unwrap();
        assert_eq!(steps[0].action, Action::Overwrite);
        apply(&t.0, &steps).unwrap();
        assert_eq!(fs::read_to_string(t.0.join("x.yaml")).unwrap(), "theirs\n");
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_folder_leading_outside_is_refused_before_writing() {
        let t = TempDir::new("symdir");
        let outside = TempDir::new("outside");
        std::os::unix::fs::symlink(&outside.0, t.0.join("go")).unwrap();
        let files = vec![file("go/svc/clients.go", "package x\n")];
        let err = prepare(Some(&t.0), &files, true).err().unwrap().to_string();
        assert!(err.contains("outside the output folder"), "{err}");
        // apply re-checks on its own, and nothing was created outside
        let steps = vec![Step {
            file: &files[0],
            target: t.0.join("go/svc/clients.go"),
            action: Action::Create,
        }];
        assert!(apply(&t.0, &steps).is_err());
        assert_eq!(fs::read_dir(&outside.0).unwrap().count(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_folder_inside_is_followed() {
        let t = TempDir::new("symin");
        fs::create_dir(t.0.join("real")).unwrap();
        std::os::unix::fs::symlink(t.0.join("real"), t.0.join("link")).unwrap();
        let files = vec![file("link/f.txt", "x\n")];
        let steps = prepare(Some(&t.0), &files, false).unwrap();
        apply(&t.0, &steps).unwrap();
        assert_eq!(fs::read_to_string(t.0.join("real/f.txt")).unwrap(), "x\n");
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_file_is_not_replaced() {
        let t = TempDir::new("symfile");
        let outside = TempDir::new("outside2");
        fs::write(outside.0.join("secret"), "keep\n").unwrap();
        std::os::unix::fs::symlink(outside.0.join("secret"), t.0.join("f.txt")).unwrap();
        let files = vec![file("f.txt", "x\n")];
        let err = prepare(Some(&t.0), &files, true).err().unwrap().to_string();
        assert!(err.contains("symbolic link"), "{err}");
        assert_eq!(
            fs::read_to_string(outside.0.join("secret")).unwrap(),
            "keep\n"
        );
    }

    #[test]
    fn check_reports_stale_missing_and_extra() {
        let t = TempDir::new("check");
        let ours = "# Generated by commsplan 0.1.0 from a.yaml\nold: 1\n";
        fs::create_dir_all(t.0.join("k")).unwrap();
        fs::write(t.0.join("k/stale.yml"), ours).unwrap();
        fs::write(t.0.join("k/extra.yml"), ours).unwrap();
        fs::write(t.0.join("k/users-own.yml"), "mine: 1\n").unwrap();
        fs::write(t.0.join("same.yml"), "# Generated by commsplan x\n").unwrap();
        let files = vec![
            file(
                "k/stale.yml",
                "# Generated by commsplan 0.1.0 from a.yaml\nnew: 1\n",
            ),
            file("k/missing.yml", "x"),
            file("same.yml", "# Generated by commsplan x\n"),
        ];
        let d = check(&t.0, &files, &["k", "same.yml"]).unwrap();
        assert_eq!(d.extra, ["k/extra.yml"]);
        let only_other = check(&t.0, &files, &["istio"]).unwrap();
        assert!(only_other.extra.is_empty());
        assert_eq!(d.stale, ["k/stale.yml"]);
        assert_eq!(d.missing, ["k/missing.yml"]);
        assert_eq!(d.extra, ["k/extra.yml"]);
        assert!(!d.is_clean());
    }
}
