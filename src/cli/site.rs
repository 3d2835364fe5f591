//! `greenboard site`: a complete static site, the explorer and the data.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use greenboard::db::attach;
use greenboard::db::load::{OnError, load_str};
use greenboard::export::sql::write_dump;
use rusqlite::Connection;

use super::error::CliError;
use super::files::{missing, read_bytes, write_output};

/// The explorer built into this binary: its version and its files.
pub struct Explorer {
    /// The greenboard version it was built from (the binary's own).
    pub version: &'static str,
    /// Each file: its path in the site (with `/`) and its bytes.
    pub files: &'static [(&'static str, &'static [u8])],
}

include!(concat!(env!("OUT_DIR"), "/explorer.rs"));

/// Write a static site: the explorer with your data, ready for GitHub Pages
/// or any static host, under any path.
///
/// The data is exported as gzipped SQL dumps into `static/` and listed in
/// `static/datasets.json`, the first one opening by default (each `--db`,
/// then each `--dump`, in the order given). The explorer is the one built
/// into this binary, of its version: no wasm tools are needed. The site is
/// written beside DIR and put in its place once complete, replacing an
/// earlier site there; an input that cannot be read leaves DIR as it was.
#[derive(clap::Args)]
pub struct Args {
    /// The folder to write (an earlier greenboard site there is replaced).
    #[arg(short, long, value_name = "DIR")]
    output: PathBuf,
    /// An SQLite database of test results (repeat for several datasets).
    #[arg(long, value_name = "FILE")]
    db: Vec<PathBuf>,
    /// An SQL dump, plain or gzip (repeat for several datasets).
    #[arg(long, value_name = "FILE")]
    dump: Vec<PathBuf>,
    /// The data's name in the explorer's Data menu (with several datasets,
    /// each is named after its file, after this).
    #[arg(long)]
    title: Option<String>,
    /// Write each dataset as a database made for reading over HTTP
    /// (`static/NAME.db`, as `export -o NAME.db` writes it), which the
    /// explorer reads a piece at a time where the host answers Range
    /// requests, instead of a gzipped dump.
    #[arg(long)]
    web_db: bool,
}

/// The form a dataset is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A gzipped SQL dump (`.sql.gz`), loaded whole.
    Dump,
    /// A database made for reading over HTTP (`.db`).
    WebDb,
}

impl Form {
    /// The ending of its files.
    fn ending(self) -> &'static str {
        match self {
            Form::Dump => ".sql.gz",
            Form::WebDb => ".db",
        }
    }
}

/// Where a dataset's data comes from.
#[derive(Debug, Clone)]
pub enum Input {
    /// An SQLite database, exported as a dump.
    Db(PathBuf),
    /// An SQL dump, plain or gzip.
    Dump(PathBuf),
}

impl Input {
    /// The file it names.
    pub fn path(&self) -> &Path {
        match self {
            Input::Db(p) | Input::Dump(p) => p,
        }
    }
}

/// Writes the site; says what it holds on standard error.
pub fn exec(args: Args) -> Result<(), CliError> {
    let inputs: Vec<Input> = (args.db.into_iter().map(Input::Db))
        .chain(args.dump.into_iter().map(Input::Dump))
        .collect();
    if inputs.is_empty() {
        return Err(CliError::Usage(
            "give the data: --db FILE or --dump FILE (each may be repeated)".into(),
        ));
    }
    let form = if args.web_db { Form::WebDb } else { Form::Dump };
    let datasets = name(&inputs, args.title.as_deref(), form);
    let explorer = explorer()?;
    write(&args.output, explorer, &datasets)?;
    eprintln!(
        "{}: the greenboard {} explorer with {} dataset(s): {}",
        args.output.display(),
        explorer.version,
        datasets.len(),
        datasets
            .iter()
            .map(|d| format!("{} ({})", d.name, d.file))
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// The explorer built into this binary, or why there is none.
pub fn explorer() -> Result<&'static Explorer, CliError> {
    EXPLORER.as_ref().map_err(|why| {
        CliError::Usage(format!(
            "this greenboard binary carries no explorer: {why}; a release download or `cargo install greenboard` has it"
        ))
    })
}

/// A dataset of the site: its name in the Data menu, its file under
/// `static/`, and where it comes from.
#[derive(Debug, Clone)]
pub struct Dataset {
    /// Its name in the Data menu.
    pub name: String,
    /// Its file name in `static/` (ending in `.sql.gz`, or `.db`).
    pub file: String,
    /// Its data.
    pub input: Input,
}

/// Names the inputs: one is called `title` (default "Test results"); of
/// several, each after its file, after `title` when given. File names are
/// made of the inputs' names, each different, with the ending of `form`.
pub fn name(inputs: &[Input], title: Option<&str>, form: Form) -> Vec<Dataset> {
    let mut taken: Vec<String> = Vec::new();
    inputs
        .iter()
        .map(|input| {
            let stem = stem(input.path());
            let name = match (inputs.len(), title) {
                (1, Some(t)) => t.to_string(),
                (1, None) => "Test results".to_string(),
                (_, Some(t)) => format!("{t}: {stem}"),
                (_, None) => stem.clone(),
            };
            let base: String = stem
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect();
            let base = if base.trim_matches('-').is_empty() {
                "results".to_string()
            } else {
                base
            };
            let ending = form.ending();
            let mut file = format!("{base}{ending}");
            let mut n = 2;
            while taken.contains(&file) || file == "datasets.json" {
                file = format!("{base}-{n}{ending}");
                n += 1;
            }
            taken.push(file.clone());
            Dataset {
                name,
                file,
                input: input.clone(),
            }
        })
        .collect()
}

/// A file's name without its directory and its `.sql`, `.gz`, `.db`,
/// `.sqlite` endings.
fn stem(path: &Path) -> String {
    let mut name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for ending in [".gz", ".sql", ".db", ".sqlite3", ".sqlite"] {
        if let Some(s) = name.strip_suffix(ending) {
            name = s.to_string();
        }
    }
    if name.is_empty() {
        "results".to_string()
    } else {
        name
    }
}

/// Writes the site into `output`: first in full beside it, then moved into
/// its place. An earlier greenboard site there (or an empty folder) is
/// replaced; anything else there is refused.
pub fn write(output: &Path, explorer: &Explorer, datasets: &[Dataset]) -> Result<(), CliError> {
    let file_err = |e| CliError::File(output.to_path_buf(), e);
    let earlier = earlier_site(output).map_err(file_err)?;
    for d in datasets {
        if !d.input.path().exists() {
            return Err(missing(d.input.path().to_path_buf()));
        }
    }
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(|e| CliError::File(parent.clone(), e))?;
    let staged = StagedDir::beside(output).map_err(file_err)?;
    let dir = &staged.path;
    for (name, bytes) in explorer.files {
        let path = dir.join(name);
        if let Some(p) = path.parent() {
            fs::create_dir_all(p).map_err(|e| CliError::File(p.to_path_buf(), e))?;
        }
        fs::write(&path, bytes).map_err(|e| CliError::File(path.clone(), e))?;
    }
    // GitHub Pages publishing a branch runs Jekyll unless told not to.
    fs::write(dir.join(".nojekyll"), "").map_err(file_err)?;
    let data = dir.join("static");
    fs::create_dir_all(&data).map_err(|e| CliError::File(data.clone(), e))?;
    for d in datasets {
        write_data(&d.input, &data.join(&d.file))?;
        if d.file.ends_with(".db") {
            eprintln!("{}: made for reading over HTTP", d.file);
        }
    }
    let list: Vec<serde_json::Value> = datasets
        .iter()
        .map(|d| serde_json::json!({ "name": d.name, "url": format!("static/{}", d.file) }))
        .collect();
    let json = serde_json::to_string_pretty(&list).expect("JSON of strings") + "\n";
    fs::write(data.join("datasets.json"), json).map_err(file_err)?;
    staged.put_in_place(output, earlier).map_err(file_err)
}

/// Whether `output` holds an earlier site to replace (`true`), or nothing
/// (`false`); an error when it holds anything else, or names no folder of
/// its own (`.`).
pub fn earlier_site(output: &Path) -> io::Result<bool> {
    if !matches!(
        output.components().next_back(),
        Some(std::path::Component::Normal(_))
    ) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "give the site a folder of its own (not . or .. or /)",
        ));
    }
    if output.exists() && !output.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "a file, not a folder: choose another name for the site",
        ));
    }
    match fs::read_dir(output) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
        Ok(mut entries) => {
            if entries.next().is_none() {
                return Ok(true);
            }
            if output.join("index.html").is_file() && output.join("static/datasets.json").is_file()
            {
                Ok(true)
            } else {
                Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "a folder that is not a greenboard site (no index.html and static/datasets.json): choose another, or empty it",
                ))
            }
        }
    }
}

/// Writes the data of `input` to `path`: as a database made for reading
/// over HTTP when `path` ends in `.db`, else as a gzipped dump (a database
/// exported, a dump compressed, or copied when it is gzip already).
fn write_data(input: &Input, path: &Path) -> Result<(), CliError> {
    let web_db = path.extension().is_some_and(|e| e == "db");
    let as_web_db = |conn: &Connection, from: &Path| {
        greenboard::export::web_db::write(conn, path, None)
            .map(|_| ())
            .map_err(|e| CliError::Db(from.to_path_buf(), e.to_string()))
    };
    match input {
        Input::Db(db) => {
            let conn = Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            // A file that is not a database fails here, named.
            conn.query_row("SELECT COUNT(*) FROM sqlite_schema", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_err(|e| CliError::Db(db.clone(), e.to_string()))?;
            if web_db {
                return as_web_db(&conn, db);
            }
            write_output(path, |mut out| {
                write_dump(&conn, &mut out).map_err(|e| CliError::Db(db.clone(), e.to_string()))
            })
        }
        Input::Dump(dump) => {
            // Read whole (gzip inflated), so that what is not a dump is
            // named before anything is written.
            let text = read_bytes(dump)?;
            if attach::is_database_file(&text) {
                return Err(CliError::File(
                    dump.clone(),
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        "an SQLite database, not a dump: give it with --db",
                    ),
                ));
            }
            let not_a_dump = |why: String| {
                CliError::File(
                    dump.clone(),
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("not an SQL dump: {why}"),
                    ),
                )
            };
            let sql = std::str::from_utf8(&text).map_err(|e| {
                not_a_dump(format!(
                    "not UTF-8 text (byte {} is invalid)",
                    e.valid_up_to()
                ))
            })?;
            // Loaded as the explorer loads it (statements that fail are
            // listed there, not fatal): it must make at least one table.
            let conn = Connection::open_in_memory()?;
            let stats =
                load_str(&conn, sql, OnError::Continue).map_err(|e| not_a_dump(e.to_string()))?;
            let tables: i64 = conn.query_row(
                "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table'",
                [],
                |r| r.get(0),
            )?;
            if tables == 0 {
                let why = match stats.failed.first() {
                    Some(p) => format!("it makes no table (line {}: {})", p.line, p.reason),
                    None => "it makes no table".to_string(),
                };
                return Err(not_a_dump(why));
            }
            if web_db {
                return as_web_db(&conn, dump);
            }
            write_output(path, |out| Ok(out.write_all(&text)?))
        }
    }
}

/// A folder written beside its target, removed when dropped unless put in
/// its place.
struct StagedDir {
    path: PathBuf,
    placed: bool,
}

impl StagedDir {
    /// A new, empty folder beside `target`, hidden, named after it.
    fn beside(target: &Path) -> io::Result<Self> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".into());
        for n in 0..100 {
            let path = target.with_file_name(format!(".{name}.{}-{n}.tmp", std::process::id()));
            match fs::create_dir(&path) {
                Ok(()) => {
                    return Ok(StagedDir {
                        path,
                        placed: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "no free name for a folder beside it",
        ))
    }

    /// Moves the folder to `target`; an earlier site there is moved aside
    /// first and removed once the new one is in place.
    fn put_in_place(mut self, target: &Path, earlier: bool) -> io::Result<()> {
        if earlier && target.exists() {
            let aside = self.path.with_extension("old");
            fs::rename(target, &aside)?;
            if let Err(e) = fs::rename(&self.path, target) {
                let _ = fs::rename(&aside, target);
                return Err(e);
            }
            let _ = fs::remove_dir_all(&aside);
        } else {
            fs::rename(&self.path, target)?;
        }
        self.placed = true;
        Ok(())
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.placed {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}
