//! `cargo xtask regen [--check]`: normalise `openapi/upstream/*.json` into
//! `openapi/spotnana.json` and `openapi/NORMALIZATION.md`.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

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
            Self::Calls(e) => write!(f, "cannot render tests/every_operation/calls.rs: {e}"),
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
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ sits inside the repository")
        .to_path_buf()
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
            let value = serde_json::from_slice(&text)
                .map_err(|source| RegenError::Json { path: path.clone(), source })?;
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
    let calls = crate::calls::render(&out.document).map_err(RegenError::Calls)?;
    Ok(Rendered { spec, report: out.report.to_markdown(), calls })
}

/// Writes (or with `check`, compares) the output files under `root/openapi/`.
pub fn run(root: &Path, check: bool) -> Result<(), RegenError> {
    let openapi = root.join("openapi");
    let rendered = render(&openapi.join("upstream"))?;
    let outputs = [
        (openapi.join("spotnana.json"), rendered.spec),
        (openapi.join("NORMALIZATION.md"), rendered.report),
        (root.join("tests/every_operation/calls.rs"), rendered.calls),
    ];
    if check {
        let stale: Vec<PathBuf> = outputs
            .iter()
            .filter(|(path, want)| fs::read_to_string(path).ok().as_deref() != Some(want.as_str()))
            .map(|(path, _)| path.strip_prefix(root).unwrap_or(path).to_path_buf())
            .collect();
        return if stale.is_empty() { Ok(()) } else { Err(RegenError::Stale { paths: stale }) };
    }
    for (path, text) in outputs {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|source| RegenError::Io { path: dir.to_path_buf(), source })?;
        }
        fs::write(&path, text).map_err(|source| RegenError::Io { path, source })?;
    }
    Ok(())
}
