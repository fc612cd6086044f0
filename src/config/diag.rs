//! Load-time diagnostics: every problem found in a config or rule file, with its file, line and field.
//!
//! Loading collects all of them before failing so a user fixes a file in one pass.
use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in a configuration or rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The field, as a dotted path (`rule[3].decision`), when known.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Collects diagnostics for one source text, turning byte offsets into lines.
pub struct Diagnostics<'a> {
    pub file: &'a Path,
    pub source: &'a str,
    pub list: Vec<Diagnostic>,
}

impl<'a> Diagnostics<'a> {
    pub fn new(file: &'a Path, source: &'a str) -> Self {
        Diagnostics { file, source, list: Vec::new() }
    }

    /// Records a problem at a byte offset (`None` when unknown).
    pub fn at(&mut self, offset: Option<usize>, field: impl Into<String>, message: impl Into<String>) {
        let line = offset.map(|o| line_of(self.source, o));
        self.list.push(Diagnostic {
            file: self.file.to_path_buf(),
            line,
            field: Some(field.into()).filter(|f: &String| !f.is_empty()),
            message: message.into(),
        });
    }
}

/// The 1-based line of a byte offset.
pub fn line_of(source: &str, offset: usize) -> usize {
    let end = offset.min(source.len());
    source.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
}

/// All the diagnostics of a failed load.
#[derive(Debug, thiserror::Error)]
pub struct LoadError(pub Vec<Diagnostic>);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(f, "{n} problem{} in the configuration:", if n == 1 { "" } else { "s" })?;
        for d in &self.0 {
            writeln!(f, "  {d}")?;
        }
        Ok(())
    }
}
