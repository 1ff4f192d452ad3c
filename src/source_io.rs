//! The one way commsplan reads a file it is given: architecture files, `commsplan.toml`,
//! baselines and user templates all go through [`read_capped`].
//!
//! Only regular files are read. A named pipe would block `open(2)` until a writer came
//! (forever in CI), and `/dev/zero` or `/dev/urandom` never end; both are refused from
//! their metadata, before a byte is read. The size limit is checked against the metadata
//! and again while reading, so a file that grows while it is read is still stopped at the
//! limit.
//!
//! The check and the open are two steps, and the path could be swapped for a pipe between
//! them; so the file is opened with `O_NONBLOCK` — which POSIX `open(2)` says makes an
//! open of a FIFO for reading "return without delay" and which has no effect on regular
//! files — and the opened descriptor's own metadata is checked again before reading.

use std::fmt;
use std::fs::{File, FileType};
use std::io::{self, Read};
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Opening or reading failed (not found, permission denied, an I/O error).
    Io(io::Error),
    /// A directory, a named pipe, a socket or a device.
    NotRegular { kind: Kind },
    /// Over `limit` bytes; `size` is what was known of the file when it was refused.
    TooLarge { size: u64, limit: u64 },
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::NotRegular { kind } => {
                write!(f, "it is {kind}, not a regular file")
            }
            ReadError::TooLarge { size, limit } => write!(
                f,
                "it is {}, over the limit of {}",
                human_size(*size),
                human_size(*limit)
            ),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// The bytes of the regular file at `path` (symbolic links followed), at most `limit` of
/// them; anything else is refused without blocking and without reading past the limit.
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    // Refused before it is opened: opening some devices has effects of its own.
    check_regular(std::fs::metadata(path)?.file_type())?;
    let file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    check_regular(meta.file_type())?;
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    // The file may have grown since `metadata`; `take` stops at one byte past the limit,
    // which is enough to know it is over.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// As [`read_capped`], for text: a file that is not UTF-8 is an `InvalidData` error.
pub fn read_text_capped(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read_capped(path, limit)?;
    String::from_utf8(bytes).map_err(|e| {
        ReadError::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "it is not UTF-8 text (byte {} is not part of a character)",
                e.utf8_error().valid_up_to()
            ),
        ))
    })
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    File::open(path)
}

fn check_regular(file_type: FileType) -> Result<(), ReadError> {
    if file_type.is_file() {
        return Ok(());
    }
    Err(ReadError::NotRegular {
        kind: kind_of(file_type),
    })
}

/// What a path that is not a regular file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Directory,
    Fifo,
    Socket,
    CharDevice,
    BlockDevice,
    Other,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Directory => "a directory",
            Kind::Fifo => "a named pipe (FIFO)",
            Kind::Socket => "a socket",
            Kind::CharDevice => "a character device",
            Kind::BlockDevice => "a block device",
            Kind::Other => "a special file",
        })
    }
}

fn kind_of(file_type: FileType) -> Kind {
    if file_type.is_dir() {
        return Kind::Directory;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Kind::Fifo;
        }
        if file_type.is_socket() {
            return Kind::Socket;
        }
        if file_type.is_char_device() {
            return Kind::CharDevice;
        }
        if file_type.is_block_device() {
            return Kind::BlockDevice;
        }
    }
    Kind::Other
}

/// `1.5 MiB`, `300 KiB`, `12 bytes`: sizes as people read them, exact when small.
pub fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * KIB;
    if bytes >= MIB {
        format_unit(bytes, MIB, "MiB")
    } else if bytes >= KIB {
        format_unit(bytes, KIB, "KiB")
    } else {
        format!("{bytes} bytes")
    }
}

fn format_unit(bytes: u64, unit: u64, name: &str) -> String {
    if bytes.is_multiple_of(unit) {
        format!("{} {name}", bytes / unit)
    } else {
        format!("{:.1} {name}", bytes as f64 / unit as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("commsplan-source-io-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_file_at_the_limit_is_read_and_one_byte_over_is_refused() {
        let dir = temp_dir("limit");
        let path = dir.join("f");
        std::fs::write(&path, b"12345").unwrap();
        assert_eq!(read_capped(&path, 5).unwrap(), b"12345");
        match read_capped(&path, 4) {
            Err(ReadError::TooLarge { size: 5, limit: 4 }) => {}
            other => panic!("expected TooLarge, got {other:?}"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_directory_is_refused_by_kind() {
        let dir = temp_dir("dir");
        let err = read_capped(&dir, 10).unwrap_err();
        assert_eq!(err.to_string(), "it is a directory, not a regular file");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_character_device_is_refused_without_reading() {
        let err = read_capped(Path::new("/dev/zero"), u64::MAX).unwrap_err();
        assert_eq!(
            err.to_string(),
            "it is a character device, not a regular file"
        );
    }

    #[test]
    fn a_missing_file_is_an_io_error() {
        let dir = temp_dir("missing");
        let err = read_capped(&dir.join("nope"), 10).unwrap_err();
        assert!(matches!(err, ReadError::Io(ref e) if e.kind() == io::ErrorKind::NotFound));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn text_that_is_not_utf8_is_refused() {
        let dir = temp_dir("utf8");
        let path = dir.join("f");
        std::fs::write(&path, b"ok\xff").unwrap();
        let err = read_text_capped(&path, 10).unwrap_err();
        assert!(err.to_string().contains("byte 2"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(human_size(12), "12 bytes");
        assert_eq!(human_size(2048), "2 KiB");
        assert_eq!(human_size(256 * 1024 * 1024), "256 MiB");
        assert_eq!(human_size(1024 * 1024 + 512 * 1024), "1.5 MiB");
    }
}
