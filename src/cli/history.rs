//! The history a CI job adds its results to: the dump that the project's
//! published site holds (or a dump or site given by address or path).

use std::fs;
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use super::error::CliError;

/// Where the history comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Where {
    /// Nowhere: a new history.
    Nowhere,
    /// An address: of a greenboard site (its `static/datasets.json` names
    /// the dump) or of a dump or database file itself.
    Url(String),
    /// A file (a dump or a database) or the folder of a site.
    Path(PathBuf),
}

impl Where {
    /// `none`, an `http(s)://` address, or a path.
    pub fn parse(text: &str) -> Where {
        let text = text.trim();
        if text.is_empty() || text == "none" {
            Where::Nowhere
        } else if text.starts_with("http://") || text.starts_with("https://") {
            Where::Url(text.to_string())
        } else {
            Where::Path(PathBuf::from(text))
        }
    }
}

/// The address of a repository's GitHub Pages site, from `owner/name`:
/// `https://owner.github.io/name/` (or `https://owner.github.io/` for the
/// repository `owner.github.io`).
pub fn pages_url(repository: &str) -> Option<String> {
    let (owner, name) = repository.split_once('/')?;
    let owner = owner.to_ascii_lowercase();
    if owner.is_empty() || name.is_empty() {
        return None;
    }
    if name.eq_ignore_ascii_case(&format!("{owner}.github.io")) {
        Some(format!("https://{owner}.github.io/"))
    } else {
        Some(format!("https://{owner}.github.io/{name}/"))
    }
}

/// What was found.
#[derive(Debug)]
pub enum Found {
    /// Nothing yet (no site published there): a new history starts.
    Nothing(String),
    /// The bytes of a dump (gzip or plain) or database, and where they
    /// came from.
    Data(Vec<u8>, String),
}

/// Names ending so are data themselves, not a site.
pub fn is_data_name(name: &str) -> bool {
    let name = name.split(['?', '#']).next().unwrap_or(name);
    [".gz", ".sql", ".db", ".sqlite", ".sqlite3"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// The history at `from`: the dataset called `title` of a site (or its
/// first), or the file itself.
pub fn fetch(from: &Where, title: Option<&str>) -> Result<Found, CliError> {
    match from {
        Where::Nowhere => Ok(Found::Nothing("no history asked for".into())),
        // A dump's address named outright must be there: a typo must not
        // start a new history.
        Where::Url(url) if is_data_name(url) => match get(url)? {
            Some(bytes) => Ok(Found::Data(bytes, url.clone())),
            None => Err(CliError::Fetch(url.clone(), "not there (404)".into())),
        },
        Where::Url(url) => {
            // The site's address, or its page's.
            let url = url.strip_suffix("index.html").unwrap_or(url);
            let base = if url.ends_with('/') {
                url.to_string()
            } else {
                format!("{url}/")
            };
            let list_url = format!("{base}static/datasets.json");
            let Some(list) = get(&list_url)? else {
                return Ok(Found::Nothing(format!(
                    "no greenboard site at {base} yet ({list_url}: 404)"
                )));
            };
            let file = choose(&list, title).map_err(|e| CliError::Fetch(list_url.clone(), e))?;
            let data_url = join(&base, &file);
            match get(&data_url)? {
                Some(bytes) => Ok(Found::Data(bytes, data_url)),
                // The site lists it, so it must be there.
                None => Err(CliError::Fetch(
                    data_url,
                    format!("listed in {list_url} but not there (404)"),
                )),
            }
        }
        Where::Path(path) if path.is_dir() => {
            let list_path = path.join("static").join("datasets.json");
            let list = fs::read(&list_path).map_err(|e| CliError::File(list_path.clone(), e))?;
            let file = choose(&list, title).map_err(|e| {
                CliError::File(
                    list_path.clone(),
                    std::io::Error::new(std::io::ErrorKind::InvalidData, e),
                )
            })?;
            let data = path.join(&file);
            let bytes = fs::read(&data).map_err(|e| CliError::File(data.clone(), e))?;
            Ok(Found::Data(bytes, data.display().to_string()))
        }
        Where::Path(path) => {
            let bytes = fs::read(path).map_err(|e| CliError::File(path.clone(), e))?;
            Ok(Found::Data(bytes, path.display().to_string()))
        }
    }
}

/// The address (relative to the site) of the dataset named `title` in a
/// site's `datasets.json`, else of its first.
fn choose(list: &[u8], title: Option<&str>) -> Result<String, String> {
    let list: Vec<serde_json::Value> =
        serde_json::from_slice(list).map_err(|e| format!("not a list of datasets: {e}"))?;
    let url_of = |d: &serde_json::Value| d.get("url").and_then(|u| u.as_str()).map(str::to_string);
    let named = title.and_then(|t| {
        list.iter()
            .find(|d| d.get("name").and_then(|n| n.as_str()) == Some(t))
            .and_then(url_of)
    });
    named
        .or_else(|| list.iter().find_map(url_of))
        .ok_or_else(|| "lists no dataset".to_string())
}

/// `relative` resolved against `base` (which ends in `/`): an absolute
/// address as it is, one from the host's root on the host, else appended.
fn join(base: &str, relative: &str) -> String {
    if relative.starts_with("http://") || relative.starts_with("https://") {
        return relative.to_string();
    }
    if let Some(path) = relative.strip_prefix('/') {
        let after_scheme = base.find("://").map_or(0, |i| i + 3);
        let host_end = base[after_scheme..]
            .find('/')
            .map_or(base.len(), |i| after_scheme + i);
        return format!("{}/{path}", &base[..host_end]);
    }
    format!("{base}{}", relative.trim_start_matches("./"))
}

/// The body at `url`; `None` for 404 (and 410). Any other failure is an
/// error naming the address: a history that exists but cannot be read must
/// not be replaced by a new one.
fn get(url: &str) -> Result<Option<Vec<u8>>, CliError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .timeout_global(Some(Duration::from_secs(600)))
        .http_status_as_error(false)
        .user_agent(concat!("greenboard/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| CliError::Fetch(url.to_string(), e.to_string()))?;
    let status = response.status();
    if status == 404 || status == 410 {
        return Ok(None);
    }
    if !status.is_success() {
        return Err(CliError::Fetch(
            url.to_string(),
            format!(
                "HTTP {} {}",
                status.as_u16(),
                status.canonical_reason().unwrap_or("")
            ),
        ));
    }
    let mut bytes = Vec::new();
    response
        .body_mut()
        .as_reader()
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::Fetch(url.to_string(), e.to_string()))?;
    Ok(Some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pages addresses of a project and of a user's site.
    #[test]
    fn pages_addresses() {
        assert_eq!(
            pages_url("Acme/widgets").as_deref(),
            Some("https://acme.github.io/widgets/")
        );
        assert_eq!(
            pages_url("acme/Acme.github.io").as_deref(),
            Some("https://acme.github.io/")
        );
        assert_eq!(pages_url("nothing"), None);
    }

    /// Addresses resolved as a browser would for a site's datasets.
    #[test]
    fn dataset_addresses() {
        let base = "https://acme.github.io/widgets/";
        assert_eq!(
            join(base, "static/r.sql.gz"),
            "https://acme.github.io/widgets/static/r.sql.gz"
        );
        assert_eq!(
            join(base, "./static/r.sql.gz"),
            "https://acme.github.io/widgets/static/r.sql.gz"
        );
        assert_eq!(
            join(base, "/other/r.sql.gz"),
            "https://acme.github.io/other/r.sql.gz"
        );
        assert_eq!(
            join(base, "https://x.org/r.sql.gz"),
            "https://x.org/r.sql.gz"
        );
    }

    /// The dataset named, else the first.
    #[test]
    fn the_dataset_named_else_the_first() {
        let list =
            br#"[{"name":"A","url":"static/a.sql.gz"},{"name":"B","url":"static/b.sql.gz"}]"#;
        assert_eq!(choose(list, Some("B")).unwrap(), "static/b.sql.gz");
        assert_eq!(choose(list, Some("C")).unwrap(), "static/a.sql.gz");
        assert_eq!(choose(list, None).unwrap(), "static/a.sql.gz");
        assert!(choose(b"[]", None).is_err());
        assert!(choose(b"{", None).is_err());
    }

    /// `none`, addresses and paths.
    #[test]
    fn where_history_is() {
        assert_eq!(Where::parse(" none "), Where::Nowhere);
        assert_eq!(Where::parse(""), Where::Nowhere);
        assert_eq!(
            Where::parse("https://a.b/"),
            Where::Url("https://a.b/".into())
        );
        assert_eq!(Where::parse("site"), Where::Path("site".into()));
        assert!(is_data_name("https://a/b.sql.gz?x=1"));
        assert!(!is_data_name("https://a/b/"));
    }
}
