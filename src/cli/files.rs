//! Reading the files the tool is given and writing the ones it makes.
//!
//! `-` stands for standard input or output. Gzip is inflated on reading,
//! whatever the name, and made on writing to a name that ends in `.gz`.

use std::fs;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use greenboard::db::attach;

use super::error::CliError;

/// The error for a file that is not there.
pub fn missing(path: PathBuf) -> CliError {
    CliError::File(
        path,
        io::Error::new(io::ErrorKind::NotFound, "no such file"),
    )
}

/// Reads a text file (or standard input for `-`), inflating gzip.
pub fn read_text(path: &Path) -> Result<String, CliError> {
    text_of(path, read_bytes(path)?)
}

/// File `path`'s `bytes` as text, or why they are not.
pub fn text_of(path: &Path, bytes: Vec<u8>) -> Result<String, CliError> {
    if attach::is_database_file(&bytes) {
        return Err(CliError::File(
            path.to_path_buf(),
            io::Error::new(
                io::ErrorKind::InvalidData,
                "an SQLite database file, not text (`query` and `check` take it as it is)",
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        CliError::File(
            path.to_path_buf(),
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "not UTF-8 text (byte {} is invalid)",
                    e.utf8_error().valid_up_to()
                ),
            ),
        )
    })
}

/// The bytes of the file (standard input for `-`), decompressed when they
/// are gzip.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, CliError> {
    let file_err = |e| CliError::File(path.to_path_buf(), e);
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        io::stdin().read_to_end(&mut bytes)
    } else {
        fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes))
    }
    .map_err(file_err)?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut text)
            .map_err(file_err)?;
        bytes = text;
    }
    Ok(bytes)
}

/// How hard a `.gz` output is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Squeeze {
    /// Quickly (deflate level 2), on a thread of its own beside the writer:
    /// an export of a dump costs little more than writing it plain.
    Fast,
    /// As small as deflate makes it (level 9): for what is written once and
    /// fetched often, such as the site's demo.
    Best,
}

/// Writes what `write` makes to standard output for `-`, else to file
/// `path`, gzip-compressed quickly when its name ends in `.gz` (see
/// [`write_output_squeezed`]).
pub fn write_output(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), CliError>,
) -> Result<(), CliError> {
    write_output_squeezed(path, Squeeze::Fast, write)
}

/// Writes what `write` makes to standard output for `-`, else to file
/// `path`, gzip-compressed as `squeeze` says when its name ends in `.gz`
/// (with no timestamp, so the bytes depend on the content alone).
///
/// A plain file is written beside its place and renamed into it once all of
/// it is written, so that a failure leaves no half-written file (and an
/// earlier one as it was). What is not a plain file (a device such as
/// `/dev/null`, a pipe) is written in place.
pub fn write_output_squeezed(
    path: &Path,
    squeeze: Squeeze,
    write: impl FnOnce(&mut dyn Write) -> Result<(), CliError>,
) -> Result<(), CliError> {
    if path.as_os_str() == "-" {
        let mut out = BufWriter::new(io::stdout().lock());
        write(&mut out)?;
        return Ok(out.flush()?);
    }
    let file_err = |e| CliError::File(path.to_path_buf(), e);
    let gzip = path
        .extension()
        .is_some_and(|e| e == "gz")
        .then_some(squeeze);
    let Some(target) = replaceable(path) else {
        let file = fs::File::create(path).map_err(file_err)?;
        return write_file(file, gzip, write, file_err);
    };
    let (staged, file) = Staged::beside(&target).map_err(file_err)?;
    write_file(file, gzip, write, file_err)?;
    staged.rename_to(&target).map_err(file_err)
}

/// Writes what `write` makes to `file`, through gzip when `gzip` says how,
/// and flushes it all; `file_err` names the file in the errors of writing.
fn write_file(
    file: fs::File,
    gzip: Option<Squeeze>,
    write: impl FnOnce(&mut dyn Write) -> Result<(), CliError>,
    file_err: impl Fn(io::Error) -> CliError,
) -> Result<(), CliError> {
    let mut file = BufWriter::new(file);
    match gzip {
        Some(Squeeze::Best) => {
            let mut gz = BufWriter::new(
                flate2::GzBuilder::new()
                    .mtime(0)
                    .write(file, flate2::Compression::best()),
            );
            write(&mut gz)?;
            // Flushed before it is finished, as dumps always were: the flush
            // ends a deflate block, so without it the bytes would differ.
            gz.flush().map_err(&file_err)?;
            let gz = gz.into_inner().map_err(|e| file_err(e.into_error()))?;
            file = gz.finish().map_err(&file_err)?;
        }
        Some(Squeeze::Fast) => {
            let gz = flate2::GzBuilder::new()
                .mtime(0)
                .write(file, flate2::Compression::new(2));
            file = std::thread::scope(|scope| -> Result<_, CliError> {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
                let compressor = scope.spawn(move || -> io::Result<_> {
                    let mut gz = gz;
                    for chunk in rx {
                        gz.write_all(&chunk)?;
                    }
                    gz.flush()?;
                    gz.finish()
                });
                let mut pipe = Pipe {
                    tx: Some(tx),
                    chunk: Vec::with_capacity(PIPE_CHUNK),
                };
                let written = write(&mut pipe).and_then(|()| Ok(pipe.close()?));
                drop(pipe);
                // The compressor's error first: a failed send only says it stopped.
                let file = compressor
                    .join()
                    .expect("the gzip compressor panicked")
                    .map_err(&file_err)?;
                written?;
                Ok(file)
            })?;
        }
        None => write(&mut file)?,
    }
    file.into_inner().map_err(|e| file_err(e.into_error()))?;
    Ok(())
}

/// Bytes handed to the compressor at a time.
const PIPE_CHUNK: usize = 1 << 20;

/// Hands what is written to a compressor thread, a chunk at a time.
struct Pipe {
    tx: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    chunk: Vec<u8>,
}

impl Pipe {
    fn send(&mut self) -> io::Result<()> {
        if self.chunk.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.chunk, Vec::with_capacity(PIPE_CHUNK));
        self.tx
            .as_ref()
            .ok_or_else(|| io::Error::other("the compressor is closed"))?
            .send(chunk)
            .map_err(|_| io::Error::other("the compressor stopped"))
    }

    /// Sends what is left; the compressor then ends the file.
    fn close(&mut self) -> io::Result<()> {
        self.send()?;
        self.tx = None;
        Ok(())
    }
}

impl Write for Pipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.chunk.extend_from_slice(buf);
        if self.chunk.len() >= PIPE_CHUNK {
            self.send()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The plain file that `path` names, to be replaced whole: `path` itself
/// (also when there is none yet) or the file its links lead to. `None` for
/// anything else: a device, a pipe, a directory or a link to nothing.
fn replaceable(path: &Path) -> Option<PathBuf> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_symlink() => fs::canonicalize(path).ok().filter(|p| p.is_file()),
        Ok(meta) => meta.is_file().then(|| path.to_path_buf()),
        Err(_) => path.file_name().is_some().then(|| path.to_path_buf()),
    }
}

/// A new file beside a target, removed when dropped unless renamed onto it.
struct Staged {
    /// Where the file is.
    path: PathBuf,
    /// Whether it was renamed onto its target.
    renamed: bool,
}

impl Staged {
    /// Makes a new, empty file in the target's folder (named after it and
    /// this process, hidden, ending in `.tmp`). A target that is
    /// there must be one this user may write (as when it was written in
    /// place), and its permissions are the new file's.
    fn beside(target: &Path) -> io::Result<(Self, fs::File)> {
        let existing = match fs::OpenOptions::new().write(true).open(target) {
            Ok(file) => Some(file.metadata()?.permissions()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let name = target.file_name().unwrap_or_default().to_string_lossy();
        for n in 0..100 {
            let path = target.with_file_name(format!(".{name}.{}-{n}.tmp", std::process::id()));
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(file) => {
                    let staged = Staged {
                        path,
                        renamed: false,
                    };
                    if let Some(permissions) = existing {
                        file.set_permissions(permissions)?;
                    }
                    return Ok((staged, file));
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "no free name for a temporary file beside it",
        ))
    }

    /// Puts the file in the target's place.
    fn rename_to(mut self, target: &Path) -> io::Result<()> {
        fs::rename(&self.path, target)?;
        self.renamed = true;
        Ok(())
    }
}

impl Drop for Staged {
    /// Removes the file unless it was renamed onto its target.
    fn drop(&mut self) {
        if !self.renamed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// The writer: whole files, gzip, failures, links and devices.
#[cfg(test)]
mod tests {
    use super::*;

    /// An empty directory for one test, under the system temp dir.
    fn scratch(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("greenboard-files-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Writes `text` to `path`.
    fn write_text(path: &Path, text: &str) -> Result<(), CliError> {
        write_output(path, |out| Ok(out.write_all(text.as_bytes())?))
    }

    /// A file written again holds the last text only, with no temporary file left.
    #[test]
    fn a_file_is_written_whole_with_nothing_beside_it() {
        let dir = scratch("whole");
        let path = dir.join("out.sql");
        write_text(&path, "first").unwrap();
        write_text(&path, "second").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "second");
        assert_eq!(names(&dir), ["out.sql"]);
        fs::remove_dir_all(dir).unwrap();
    }

    /// A `.gz` name is written as gzip with mtime 0, and read back as text.
    #[test]
    fn a_gz_name_is_gzip_with_no_timestamp() {
        let dir = scratch("gzip");
        let path = dir.join("out.sql.gz");
        write_text(&path, "SELECT 1;\n").unwrap();
        let bytes = fs::read(&path).unwrap();
        assert_eq!(&bytes[..2], [0x1f, 0x8b]);
        assert_eq!(&bytes[4..8], [0, 0, 0, 0], "mtime 0");
        assert_eq!(read_text(&path).unwrap(), "SELECT 1;\n");
        fs::remove_dir_all(dir).unwrap();
    }

    /// Many chunks through the compressor thread, quickly or as small as
    /// can be, read back as written; the best is the smaller.
    #[test]
    fn a_large_gz_output_is_the_same_text_either_way() {
        let dir = scratch("squeeze");
        let text: String = (0..200_000)
            .map(|i| format!("INSERT INTO t VALUES({i},'row {}');\n", i % 97))
            .collect();
        assert!(text.len() > 3 * PIPE_CHUNK);
        let mut sizes = Vec::new();
        for (name, squeeze) in [
            ("fast.sql.gz", Squeeze::Fast),
            ("best.sql.gz", Squeeze::Best),
        ] {
            let path = dir.join(name);
            write_output_squeezed(&path, squeeze, |out| {
                // In pieces of all sizes, as a dump writer writes.
                for piece in text.as_bytes().chunks(4093) {
                    out.write_all(piece)?;
                }
                Ok(())
            })
            .unwrap();
            assert_eq!(read_text(&path).unwrap(), text, "{name}");
            sizes.push(fs::metadata(&path).unwrap().len());
        }
        assert!(sizes[1] < sizes[0], "{sizes:?}");
        fs::remove_dir_all(dir).unwrap();
    }

    /// A write that fails leaves no new file and an earlier one untouched.
    #[test]
    fn a_failed_write_leaves_no_file_and_an_earlier_one_as_it_was() {
        let dir = scratch("failed");
        let fail = |out: &mut dyn Write| {
            // More than the compressor takes at a time.
            out.write_all(&[b'x'; 3 * PIPE_CHUNK])?;
            Err(CliError::Usage("stopped".into()))
        };
        for name in ["new.sql", "new.sql.gz"] {
            assert!(write_output(&dir.join(name), fail).is_err());
        }
        assert!(names(&dir).is_empty());
        let earlier = dir.join("earlier.sql");
        fs::write(&earlier, "kept").unwrap();
        assert!(write_output(&earlier, fail).is_err());
        assert_eq!(fs::read_to_string(&earlier).unwrap(), "kept");
        assert_eq!(names(&dir), ["earlier.sql"]);
        fs::remove_dir_all(dir).unwrap();
    }

    /// A link stays a link to the file replaced, which keeps its permissions.
    #[cfg(unix)]
    #[test]
    fn a_link_is_written_through_and_permissions_are_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("link");
        let real = dir.join("real.sql");
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o600)).unwrap();
        let link = dir.join("link.sql");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_text(&link, "new").unwrap();
        assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        let mode = fs::metadata(&real).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(names(&dir), ["link.sql", "real.sql"]);
        fs::remove_dir_all(dir).unwrap();
    }

    /// A device is written as it is, not replaced.
    #[cfg(unix)]
    #[test]
    fn a_device_is_written_in_place() {
        write_text(Path::new("/dev/null"), "nothing").unwrap();
        let dev = fs::metadata("/dev/null").unwrap();
        assert!(!dev.is_file());
    }
}
