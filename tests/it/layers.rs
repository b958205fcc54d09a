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

/// The identifier at the start of `text`.
fn ident(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The top-level names of a `{a::x, b::{y, z}}` group at the start of `text`.
fn group_heads(text: &str) -> Vec<&str> {
    let mut heads = Vec::new();
    let (mut depth, mut start) = (0, 1);
    for (at, c) in text.char_indices() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    start = at + 1;
                }
            }
            '}' | ',' if depth == 1 => {
                heads.push(ident(text[start..].trim_start()));
                if c == '}' {
                    break;
                }
                start = at + 1;
            }
            '}' => depth -= 1,
            _ => {}
        }
    }
    heads.retain(|head| !head.is_empty());
    heads
}

/// The crate's top-level modules that `source` names, with their line numbers: through
/// `crate::name`, `crate::{a::x, b::y}`, or enough `super::` to climb out of the file's module
/// path `module` (e.g. `["server", "rest", "access"]`) to the crate root. Comments count too: a doc
/// link upward is a dependency as well.
fn crate_paths<'a>(source: &'a str, module: &[&str]) -> Vec<(usize, &'a str)> {
    let mut found = Vec::new();
    for (number, line) in source.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate") {
            let before = rest[..at].chars().next_back();
            let after = &rest[at + "crate".len()..];
            rest = after;
            // `trekmail_tokens::` and `my_crate::` do not count; only a bare `crate`.
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if after.starts_with("::{") {
                let heads = group_heads(&after["::".len()..]);
                found.extend(heads.into_iter().map(|head| (number + 1, head)));
            } else if let Some(path) = after.strip_prefix("::") {
                found.push((number + 1, ident(path)));
            } else if after.trim_start().starts_with("as ") {
                found.push((number + 1, "crate as"));
            }
        }
        let mut rest = line;
        while let Some(at) = rest.find("super::") {
            let mut path = &rest[at..];
            let mut climbs = 0;
            while let Some(next) = path.strip_prefix("super::") {
                climbs += 1;
                path = next;
            }
            rest = path;
            if climbs >= module.len() {
                found.push((number + 1, ident(path)));
            }
        }
    }
    found
}

/// A source file's module path below the crate root (`src/server/rest/access.rs` →
/// `["server", "rest", "access"]`; `mod.rs` names its folder).
fn module_path(file: &Path, src: &Path) -> Vec<String> {
    let relative = file.strip_prefix(src).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|last| last == "mod") {
        parts.pop();
    }
    parts
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
            let path = module_path(&file, &src);
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            for (line, module) in crate_paths(&source, &path) {
                let upward = MODULES.contains(&module) && !allowed.contains(&module);
                if upward || module == "crate as" {
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
fn the_check_sees_every_way_of_naming_a_layer() {
    let server_db = ["server", "db"];
    let found = |source: &str, module: &[&str]| -> Vec<String> {
        crate_paths(source, module)
            .into_iter()
            .map(|(_, name)| name.to_string())
            .collect()
    };
    assert_eq!(
        found("use crate::api::x; // trekmail_tokens::ui::y", &server_db),
        ["api"]
    );
    assert_eq!(
        found("use crate::{domain::a, ui::{b, c}};", &server_db),
        ["domain", "ui"]
    );
    assert_eq!(found("use super::super::api::x;", &server_db), ["api"]);
    assert!(found("use super::db::Pool;", &["server", "rest"]).is_empty());
    assert_eq!(found("use crate as root;", &server_db), ["crate as"]);
}
