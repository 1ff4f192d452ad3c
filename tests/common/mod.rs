//! What the end-to-end tests of `import`, `import --merge` and `drift` share: the public
//! samples beside the repository, running the binary, scratch folders, and loading an
//! imported file as `analyze` would. Each test crate uses part of it.
#![allow(dead_code)]

use commsplan::model::{load, LoadOptions, Model};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The public samples: `shared/import-samples` beside the repository or a folder above it.
pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("shared/import-samples"))
        .find(|dir| dir.is_dir())
        .expect("../shared/import-samples holds the public samples")
}

pub fn commsplan(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("commsplan runs")
}

/// `commsplan import KIND ARGS…` in `dir`: stdout, stderr and the exit code.
pub fn import(dir: &Path, kind: &str, args: &[&str]) -> (String, String, i32) {
    let mut all = vec!["import", kind];
    all.extend(args);
    let out = commsplan(dir, &all);
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

/// A scratch folder of this test process, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("commsplan-it-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.0.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.0.join(rel)).unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Loads an imported file as `analyze` would; it must load with no error of the loader.
pub fn loads(text: &str, tag: &str) -> Model {
    let t = TempDir::new(tag);
    let path = t.write("system.yaml", text);
    let (model, findings) = load(&[&path], &LoadOptions::default()).unwrap();
    let broken: Vec<_> = findings.iter().filter(|f| f.did_not_load()).collect();
    assert!(broken.is_empty(), "{broken:#?}\n{text}");
    model
}

/// The model's calls as sorted `(from, to)` pairs.
pub fn edges(model: &Model) -> Vec<(String, String)> {
    let mut e: Vec<_> = model
        .interactions
        .iter()
        .map(|d| (d.interaction.from.clone(), d.interaction.to.clone()))
        .collect();
    e.sort();
    e
}

pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}
