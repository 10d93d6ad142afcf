//! The structural invariants of ARCHITECTURE.md, checked on the source so that breaking one
//! fails the build's tests, not a review:
//!
//! - the app knows no wire format: `kassa-core` depends on no HTTP framework and no wire types;
//! - faces never touch the store: they call the app, and see only the app's and the domain's
//!   types (no `kassa_store` name under `faces/` or `http/`);
//! - the domain speaks no provider's words;
//! - routes are composed in one place: faces are mounted in `routes::router` and nowhere else,
//!   and `http` (the plumbing every face uses) knows no face.

use std::fs;
use std::path::{Path, PathBuf};

fn crates() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("crates/").to_path_buf()
}

/// Every `.rs` file below `dir`, with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("a source directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = fs::read_to_string(&path).expect("a source file");
                found.push((path, text));
            }
        }
    }
    found
}

/// Lines of code (not comments) of `text` containing any of `needles`.
fn offending<'a>(text: &'a str, needles: &[&str]) -> Vec<&'a str> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .filter(|l| needles.iter().any(|n| l.contains(n)))
        .collect()
}

#[test]
fn the_app_core_knows_no_http_framework_and_no_wire_format() {
    let manifest = fs::read_to_string(crates().join("core/Cargo.toml")).unwrap();
    let dependencies = manifest.split("[dependencies]").nth(1).unwrap().split("\n[").next().unwrap();
    for forbidden in ["axum", "kassa-api", "tower", "utoipa", "maud", "kassa-server"] {
        let named = dependencies.lines().any(|l| l.trim_start().starts_with(forbidden));
        assert!(!named, "kassa-core depends on {forbidden}; the core must speak no wire format");
    }
    for (path, text) in sources(&crates().join("core/src")) {
        let bad = offending(&text, &["axum::", "kassa_api", "http::StatusCode"]);
        assert!(bad.is_empty(), "{}: {bad:?}", path.display());
    }
}

#[test]
fn faces_never_touch_the_store() {
    let server = crates().join("server/src");
    for dir in ["faces", "http"] {
        for (path, text) in sources(&server.join(dir)) {
            // The core's API is the only way down: its pages, filters and views, and domain
            // values. A store type up here would make every change of a table ripple into faces.
            let bad = offending(&text, &["sqlx", ".store()", "WriteTx", "::begin(", "kassa_store"]);
            assert!(bad.is_empty(), "{} reaches past the core into the store: {bad:?}", path.display());
        }
    }
}

#[test]
fn the_domain_speaks_no_providers_words() {
    for (path, text) in sources(&crates().join("domain/src")) {
        let lower = text.to_lowercase();
        for word in ["probuy", "smartpay", "vipps", "seed api", "seed face"] {
            assert!(!lower.contains(word), "{} speaks of {word}", path.display());
        }
    }
}

#[test]
fn routes_are_composed_in_one_place() {
    let server = crates().join("server/src");
    let mut mounts = Vec::new();
    for (path, text) in sources(&server) {
        for line in offending(&text, &["mount::<", "axum::serve("]) {
            mounts.push(format!("{}: {}", path.strip_prefix(&server).unwrap().display(), line.trim()));
        }
    }
    let outside: Vec<&String> =
        mounts.iter().filter(|m| !m.starts_with("routes.rs") && !m.starts_with("lib.rs: let served")).collect();
    assert!(outside.is_empty(), "faces mounted outside routes::router: {outside:?}");
    assert!(mounts.iter().filter(|m| m.starts_with("routes.rs")).count() >= 4, "every face is mounted: {mounts:?}");
}

#[test]
fn the_http_plumbing_knows_no_face() {
    for (path, text) in sources(&crates().join("server/src/http")) {
        let bad = offending(&text, &["crate::faces", "faces::"]);
        assert!(bad.is_empty(), "{} reaches into a face: {bad:?}", path.display());
    }
}
