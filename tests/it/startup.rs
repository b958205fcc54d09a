//! The real server binary refuses bad settings at start: exit code 2, a message naming the
//! setting and the value, and nothing created on disk.

use std::process::Command;
use std::time::{Duration, Instant};

/// Runs the server binary with `env` in an empty folder; returns its exit code, its stderr and
/// what it left in the folder. Bad settings must stop it at once; a server that starts instead
/// is killed after a few seconds and reported.
fn start(env: &[(&str, &str)]) -> (Option<i32>, String, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_trekmail-tokens"))
        .current_dir(dir.path())
        .env_clear()
        .env("LEPTOS_OUTPUT_NAME", "trekmail-tokens")
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    (status.code(), stderr, left)
}

#[test]
fn bad_settings_stop_the_server_at_start_naming_the_setting() {
    let cases: &[(&str, &str, &str)] = &[
        ("TREKMAIL_STATEMENT_TIMEOUT_MS", "50", "50"),
        (
            "DATABASE_URL",
            "mysql://root@localhost/x",
            "\"mysql\" databases are not supported",
        ),
        ("TREKMAIL_SESSION_DAYS", "abc", "abc"),
        ("TREKMAIL_API_RATE_LIMIT", "-5", "-5"),
        ("TREKMAIL_DEMO", "maybe", "maybe"),
    ];
    for (name, value, needle) in cases {
        let (code, stderr, left) = start(&[(name, value)]);
        assert_eq!(code, Some(2), "{name}={value}: {stderr}");
        assert!(
            stderr.contains(name),
            "{name}={value} must be named: {stderr}"
        );
        assert!(stderr.contains(needle), "{name}={value}: {stderr}");
        assert!(left.is_empty(), "{name}={value} created {left:?}");
    }
}

#[test]
fn help_lists_every_setting_with_its_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_trekmail-tokens"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for variable in [
        "DATABASE_URL",
        "TREKMAIL_DEMO",
        "TREKMAIL_SECURE_COOKIES",
        "TREKMAIL_TRUST_PROXY",
        "TREKMAIL_SESSION_DAYS",
        "TREKMAIL_API_RATE_LIMIT",
    ] {
        assert!(
            help.contains(variable),
            "{variable} missing from --help:\n{help}"
        );
    }
}
