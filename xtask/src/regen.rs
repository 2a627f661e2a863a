//! `cargo xtask regen [--check]`: normalise `openapi/upstream/*.json` into
//! `openapi/spotnana.json` and `openapi/NORMALIZATION.md`.
//!
//! Without `--check`, regen also compares the spec it writes with the one checked
//! in before it ([`crate::diff`]), prints a summary, and writes
//! `openapi/CHANGES.md` when the API changed.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diff::{self, ApiDiff, Policy};
use crate::normalize::{self, Document, NormalizeError};

/// The files regen writes, rendered in memory.
#[derive(Debug)]
pub struct Rendered {
    /// `openapi/spotnana.json`, pretty-printed with a trailing newline.
    pub spec: String,
    /// `openapi/NORMALIZATION.md`.
    pub report: String,
    /// `tests/every_operation/calls.rs`, one typed call per operation.
    pub calls: String,
    /// `tests/every_operation/streams.rs`, one stream per paginated operation.
    pub streams: String,
    /// The normalised spec itself, as `spec` holds it in text.
    pub document: Value,
}

/// Why regen failed.
#[derive(Debug)]
pub enum RegenError {
    /// A file could not be read or written.
    Io { path: PathBuf, source: std::io::Error },
    /// An upstream file is not valid JSON.
    Json { path: PathBuf, source: serde_json::Error },
    /// The normaliser refused the documents.
    Normalize(NormalizeError),
    /// The every-operation calls could not be rendered.
    Calls(String),
    /// `--check` found checked-in output that differs from what regen writes.
    Stale { paths: Vec<PathBuf> },
}

impl fmt::Display for RegenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Self::Json { path, source } => {
                write!(f, "{}: not valid JSON: {source}", path.display())
            }
            Self::Normalize(e) => write!(f, "cannot normalise the upstream documents: {e}"),
            Self::Calls(e) => write!(f, "cannot render tests/every_operation/calls.rs or streams.rs: {e}"),
            Self::Stale { paths } => {
                let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
                write!(f, "{} out of date: run `cargo xtask regen` and commit", names.join(" and "))
            }
        }
    }
}

impl std::error::Error for RegenError {}

/// The repository root (the parent of `xtask/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask/ sits inside the repository").to_path_buf()
}

/// Reads every `*.json` in `dir`, sorted by file name.
pub fn read_documents(dir: &Path) -> Result<Vec<Document>, RegenError> {
    let io = |source| RegenError::Io { path: dir.to_path_buf(), source };
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = fs::read(&path).map_err(|source| RegenError::Io { path: path.clone(), source })?;
            let value =
                serde_json::from_slice(&text).map_err(|source| RegenError::Json { path: path.clone(), source })?;
            let name = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            Ok(Document { name, value })
        })
        .collect()
}

/// Normalises the documents in `upstream` and renders both output files.
pub fn render(upstream: &Path) -> Result<Rendered, RegenError> {
    let docs = read_documents(upstream)?;
    let out = normalize::normalize(docs).map_err(RegenError::Normalize)?;
    let mut spec = serde_json::to_string_pretty(&out.document).expect("JSON values serialise");
    spec.push('\n');
    let (calls, streams) = crate::calls::render(&out.document).map_err(RegenError::Calls)?;
    Ok(Rendered { spec, report: out.report.to_markdown(), calls, streams, document: out.document })
}

/// What a regen that writes found when it compared the new spec with the old one.
#[derive(Debug)]
pub enum Comparison {
    /// There was no checked-in spec to compare with, or it was not JSON; why.
    Skipped(String),
    /// The diff. `openapi/CHANGES.md` was written unless it is empty.
    Compared(ApiDiff),
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Skipped(why) => write!(f, "API changes not compared: {why}"),
            Self::Compared(d) if d.is_empty() => f.write_str(&d.summary()),
            Self::Compared(d) => write!(f, "{} Details in openapi/CHANGES.md.", d.summary()),
        }?;
        if let Self::Compared(d) = self {
            for note in &d.notes {
                write!(f, "\nnote: {note}")?;
            }
        }
        Ok(())
    }
}

/// Writes (or with `check`, compares) the output files; without `check`, prints
/// how the API changed.
pub fn run(root: &Path, check: bool) -> Result<(), RegenError> {
    if check {
        return check_outputs(root);
    }
    println!("{}", write(root)?);
    Ok(())
}

fn outputs(root: &Path, rendered: Rendered) -> [(PathBuf, String); 4] {
    let openapi = root.join("openapi");
    [
        (openapi.join("spotnana.json"), rendered.spec),
        (openapi.join("NORMALIZATION.md"), rendered.report),
        (root.join("tests/every_operation/calls.rs"), rendered.calls),
        (root.join("tests/every_operation/streams.rs"), rendered.streams),
    ]
}

/// Fails with [`RegenError::Stale`] if a checked-in output differs from what
/// regen would write. Writes nothing.
pub fn check_outputs(root: &Path) -> Result<(), RegenError> {
    let rendered = render(&root.join("openapi/upstream"))?;
    let stale: Vec<PathBuf> = outputs(root, rendered)
        .iter()
        .filter(|(path, want)| fs::read_to_string(path).ok().as_deref() != Some(want.as_str()))
        .map(|(path, _)| path.strip_prefix(root).unwrap_or(path).to_path_buf())
        .collect();
    if stale.is_empty() {
        Ok(())
    } else {
        Err(RegenError::Stale { paths: stale })
    }
}

/// Writes the output files under `root`, compares the new spec with the one it
/// replaces, and writes `root/openapi/CHANGES.md` if the API changed. When it has
/// not, any existing `CHANGES.md` is left as it is.
pub fn write(root: &Path) -> Result<Comparison, RegenError> {
    let rendered = render(&root.join("openapi/upstream"))?;
    let comparison = compare(&root.join("openapi/spotnana.json"), &rendered.document)?;
    let mut files = Vec::from(outputs(root, rendered));
    if let Comparison::Compared(d) = &comparison {
        if !d.is_empty() {
            files.push((root.join("openapi/CHANGES.md"), d.to_markdown()));
        }
    }
    for (path, text) in files {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|source| RegenError::Io { path: dir.to_path_buf(), source })?;
        }
        fs::write(&path, text).map_err(|source| RegenError::Io { path, source })?;
    }
    Ok(comparison)
}

/// Diffs the spec checked in at `old` against `new`.
fn compare(old: &Path, new: &Value) -> Result<Comparison, RegenError> {
    let text = match fs::read_to_string(old) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Comparison::Skipped(format!("{} does not exist yet", old.display())))
        }
        Err(source) => return Err(RegenError::Io { path: old.to_path_buf(), source }),
    };
    Ok(match serde_json::from_str::<Value>(&text) {
        Ok(previous) => Comparison::Compared(diff::diff(&previous, new, Policy::default())),
        Err(e) => Comparison::Skipped(format!("{} is not valid JSON: {e}", old.display())),
    })
}
