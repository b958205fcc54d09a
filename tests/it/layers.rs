//! The layers point one way: `ui`/`app` → `api` → `server` → `model` → `domain`. This test reads
//! the sources and fails on any `crate::…` path that reaches a layer above the file's own (the
//! README's "Layers" section gives the same check as one `grep`).

use std::path::{Path, PathBuf};

/// Each layer's folder (or file) and the modules it may name with `crate::`.
const LAYERS: &[(&str, &[&str])] = &[
    ("domain", &["domain"]),
    ("model", &["domain", "model"]),
    ("server", &["domain", "model", "server"]),
    ("api", &["domain", "model", "server", "api"]),
    ("ui", &["domain", "model", "api", "ui", "app"]),
    ("app.rs", &["domain", "model", "api", "ui", "app"]),
];

/// Every module the crate has; a path into one of these not allowed above is a violation.
const MODULES: &[&str] = &["domain", "model", "server", "api", "ui", "app", "startup"];

fn rust_files(path: &Path, into: &mut Vec<PathBuf>) {
    if path.is_file() {
        into.push(path.to_path_buf());
        return;
    }
    for entry in std::fs::read_dir(path).expect("the source folder is readable") {
        rust_files(&entry.expect("a readable entry").path(), into);
    }
}

/// `crate::name` occurrences in `source`, with their line numbers (comments included: a doc
/// link upward is a dependency too).
fn crate_paths(source: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    for (number, line) in source.lines().enumerate() {
        for (at, _) in line.match_indices("crate::") {
            // `trekmail_tokens::` and `leptos::…::crate` do not count; only a bare `crate::`.
            let before = line[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &line[at + "crate::".len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            found.push((number + 1, &rest[..end]));
        }
    }
    found
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    for (layer, allowed) in LAYERS {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        assert!(!files.is_empty(), "the {layer} layer has files");
        for file in files {
            let source = std::fs::read_to_string(&file).expect("a readable source file");
            for (line, module) in crate_paths(&source) {
                if MODULES.contains(&module) && !allowed.contains(&module) {
                    violations.push(format!(
                        "{}:{line}: {layer} uses crate::{module}",
                        file.strip_prefix(&src).unwrap_or(&file).display()
                    ));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports that point up a layer:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_check_sees_an_upward_import() {
    let paths = crate_paths("use crate::server::db::Pool; // trekmail_tokens::api::x\n");
    assert_eq!(paths, vec![(1, "server")]);
}
