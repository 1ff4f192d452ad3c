//! Paths that are not ordinary small files: a named pipe, an endless device, a file over
//! the size limit. Each must be refused at once, in clear words, with little memory —
//! never a hang, never reading the whole thing first.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Well above the tool's own start-up and well below reading any of these files.
const MAX_RSS_KIB: i64 = 200 * 1024;
/// A refusal is a few system calls; a debug build on a busy machine still does it in well
/// under this. A hang is killed here rather than blocking the test suite.
const DEADLINE: Duration = Duration::from_secs(5);
/// The processor time a refusal may take. Measured as the child's CPU time, not the wall
/// clock, which a busy machine stretches; a hang costs no CPU and is caught by `DEADLINE`.
const FAST: Duration = Duration::from_secs(1);

struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("commsplan-special-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn fifo(&self) -> PathBuf {
        let path = self.0.join("pipe");
        let status = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
        assert!(status.success());
        path
    }

    /// A sparse file of `bytes`: no disk space used, no bytes written.
    fn sparse(&self, name: &str, bytes: u64) -> PathBuf {
        let path = self.0.join(name);
        std::fs::File::create(&path)
            .unwrap()
            .set_len(bytes)
            .unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Run {
    output: Output,
    cpu: Duration,
    max_rss_kib: i64,
}

impl Run {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
}

/// Runs the binary with a deadline, and measures its peak memory with `wait4`, which
/// reports the resources of exactly the child waited for.
// The child is reaped by that `wait4`, which clippy does not see.
#[allow(clippy::zombie_processes)]
fn run(args: &[&Path]) -> Run {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_commsplan"))
        .arg("analyze")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("commsplan runs");
    let pid = child.id() as libc::pid_t;
    let (status, rusage) = loop {
        let mut status = 0;
        // SAFETY: a plain wait4 on our own child into locals that outlive the call.
        let mut rusage: libc::rusage = unsafe { std::mem::zeroed() };
        let got = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut rusage) };
        assert!(got >= 0, "wait4 failed");
        if got == pid {
            break (status, rusage);
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("commsplan {args:?} still runs after {DEADLINE:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let cpu = cpu_time(&rusage.ru_utime) + cpu_time(&rusage.ru_stime);
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    use std::io::Read;
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_end(&mut stderr)
        .unwrap();
    use std::os::unix::process::ExitStatusExt;
    Run {
        output: Output {
            status: std::process::ExitStatus::from_raw(status),
            stdout,
            stderr,
        },
        cpu,
        max_rss_kib: rusage.ru_maxrss,
    }
}

fn cpu_time(t: &libc::timeval) -> Duration {
    let secs = u64::try_from(t.tv_sec).unwrap_or(0);
    let micros = u32::try_from(t.tv_usec).unwrap_or(0);
    Duration::from_secs(secs) + Duration::from_micros(u64::from(micros))
}

fn assert_refused(run: &Run, what: &str, kind: &str) {
    assert_eq!(run.output.status.code(), Some(2), "{}", run.stderr());
    let err = run.stderr();
    assert!(
        err.contains(&format!("cannot read {what}")) && err.contains(kind),
        "stderr: {err}"
    );
    assert_cheap(run);
}

fn assert_cheap(run: &Run) {
    assert!(run.cpu < FAST, "took {:?} of CPU", run.cpu);
    assert!(
        run.max_rss_kib < MAX_RSS_KIB,
        "peak memory {} KiB",
        run.max_rss_kib
    );
}

const EXAMPLE: &str = "examples/ecommerce.yaml";

fn example() -> &'static Path {
    Path::new(EXAMPLE)
}

#[test]
fn a_named_pipe_as_file_is_refused_without_blocking() {
    let s = Scratch::new("fifo-file");
    let fifo = s.fifo();
    let r = run(&[&fifo]);
    assert_refused(&r, &fifo.display().to_string(), "named pipe (FIFO)");
}

#[test]
fn a_named_pipe_as_config_is_refused_without_blocking() {
    let s = Scratch::new("fifo-config");
    let fifo = s.fifo();
    let r = run(&[example(), Path::new("--config"), &fifo]);
    assert_refused(&r, &format!("config {}", fifo.display()), "named pipe");
}

#[test]
fn a_named_pipe_as_baseline_is_refused_without_blocking() {
    let s = Scratch::new("fifo-baseline");
    let fifo = s.fifo();
    let r = run(&[example(), Path::new("--baseline"), &fifo]);
    assert_refused(&r, &format!("baseline {}", fifo.display()), "named pipe");
}

#[test]
fn dev_zero_is_refused_as_file_config_and_baseline() {
    let zero = Path::new("/dev/zero");
    let r = run(&[zero]);
    assert_refused(&r, "/dev/zero", "character device, not a regular file");
    let r = run(&[example(), Path::new("--config"), zero]);
    assert_refused(&r, "config /dev/zero", "character device");
    let r = run(&[example(), Path::new("--baseline"), zero]);
    assert_refused(&r, "baseline /dev/zero", "character device");
}

#[test]
fn a_link_to_a_device_is_refused_as_the_device() {
    let s = Scratch::new("link");
    let link = s.0.join("system.yaml");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    let r = run(&[&link]);
    assert_refused(&r, &link.display().to_string(), "character device");
}

#[test]
fn a_file_over_the_limit_is_a_located_finding_without_reading_it() {
    let s = Scratch::new("big");
    let big = s.sparse("big.yaml", 300 * 1024 * 1024);
    let r = run(&[&big, Path::new("--format"), Path::new("json")]);
    assert_eq!(r.output.status.code(), Some(1), "{}", r.stderr());
    let report: serde_json::Value = serde_json::from_str(&r.stdout()).expect("JSON report");
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f["code"], "M013", "{f:#}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("the file is 300 MiB, over the limit of 256 MiB"),
        "{f:#}"
    );
    assert_eq!(f["location"]["line"], 1, "{f:#}");
    assert_eq!(f["location"]["column"], 1, "{f:#}");
    assert_cheap(&r);
}

#[test]
fn a_config_or_baseline_over_its_limit_is_refused_without_reading_it() {
    let s = Scratch::new("big-side");
    let config = s.sparse("commsplan.toml", 2 * 1024 * 1024);
    let r = run(&[example(), Path::new("--config"), &config]);
    assert_refused(
        &r,
        &format!("config {}", config.display()),
        "it is 2 MiB, over the limit of 1 MiB",
    );
    let baseline = s.sparse("baseline.json", 300 * 1024 * 1024);
    let r = run(&[example(), Path::new("--baseline"), &baseline]);
    assert_refused(
        &r,
        &format!("baseline {}", baseline.display()),
        "it is 300 MiB, over the limit of 256 MiB",
    );
}

#[test]
fn a_directory_is_refused_in_words() {
    let s = Scratch::new("dir");
    let r = run(&[&s.0]);
    assert_eq!(r.output.status.code(), Some(2));
    assert!(r.stderr().contains("is a directory"), "{}", r.stderr());
    let r = run(&[example(), Path::new("--baseline"), &s.0]);
    assert_refused(
        &r,
        &format!("baseline {}", s.0.display()),
        "it is a directory, not a regular file",
    );
}

#[test]
fn the_limit_is_kept_while_reading_a_file_that_reports_no_size() {
    // Files under /proc report a size of 0 but have content: the cap must hold while
    // reading, not only against the metadata.
    let path = Path::new("/proc/self/maps");
    if !path.exists() {
        return;
    }
    match commsplan::source_io::read_capped(path, 16) {
        Err(commsplan::source_io::ReadError::TooLarge {
            size: 17,
            limit: 16,
        }) => {}
        other => panic!("expected a refusal at 17 bytes, got {other:?}"),
    }
}
