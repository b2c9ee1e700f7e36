//! Expands command-line paths into input files: directories are walked in
//! name order, so runs are reproducible.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// An input file, or a path that could not be listed (reported, not fatal).
pub(crate) enum Entry {
    File(PathBuf),
    Unreadable(PathBuf, String),
}

pub(crate) fn expand(paths: &[PathBuf]) -> Vec<Entry> {
    let mut out = Vec::new();
    for path in paths {
        if !path.is_dir() {
            out.push(Entry::File(path.clone()));
            continue;
        }
        for entry in WalkDir::new(path).sort_by_file_name() {
            match entry {
                Ok(e) if e.file_type().is_file() && !is_hidden(e.path()) => out.push(Entry::File(e.into_path())),
                Ok(_) => {}
                Err(error) => {
                    let at = error.path().unwrap_or(path).to_path_buf();
                    out.push(Entry::Unreadable(at, error.to_string()));
                }
            }
        }
    }
    out
}

fn is_hidden(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'))
}
