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

/// Standard output for `-`, else the file; gzip-compressed when its name ends
/// in `.gz` (with no timestamp, so the bytes depend on the content alone).
pub fn output(path: &Path) -> Result<Box<dyn Write>, CliError> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(BufWriter::new(io::stdout().lock())));
    }
    let file =
        BufWriter::new(fs::File::create(path).map_err(|e| CliError::File(path.to_path_buf(), e))?);
    Ok(if path.extension().is_some_and(|e| e == "gz") {
        Box::new(BufWriter::new(
            flate2::GzBuilder::new()
                .mtime(0)
                .write(file, flate2::Compression::best()),
        ))
    } else {
        Box::new(file)
    })
}
