//! Audit chain tests: resume after reopen, and every kind of tampering detected.
use super::*;
use serde_json::json;

fn write_log(n: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.jsonl");
    let log = AuditLog::open(&path, false).unwrap();
    for i in 0..n {
        log.append("decision", &json!({"tool": format!("t{i}"), "verdict": "allow"})).unwrap();
    }
    (dir, path)
}

#[test]
fn a_fresh_chain_verifies_and_resumes_after_reopen() {
    let (_d, path) = write_log(3);
    let log = AuditLog::open(&path, false).unwrap();
    assert_eq!(log.head().0, 3);
    log.append("decision", &json!({"tool": "again"})).unwrap();
    let report = verify(&path).unwrap();
    assert_eq!(report.records, 4);
    assert_eq!(report.head, log.head().1);
}

#[test]
fn a_one_byte_edit_is_caught_at_its_line() {
    let (_d, path) = write_log(3);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = text.replacen("t1", "t7", 1);
    std::fs::write(&path, edited).unwrap();
    let err = verify(&path).unwrap_err();
    assert_eq!(err.line, 2);
}

#[test]
fn deleting_or_reordering_records_is_caught() {
    let (_d, path) = write_log(4);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let deleted = format!("{}\n{}\n{}\n", lines[0], lines[2], lines[3]);
    std::fs::write(&path, deleted).unwrap();
    assert_eq!(verify(&path).unwrap_err().line, 2);
    let swapped = format!("{}\n{}\n{}\n{}\n", lines[0], lines[2], lines[1], lines[3]);
    std::fs::write(&path, swapped).unwrap();
    assert_eq!(verify(&path).unwrap_err().line, 2);
}

#[test]
fn a_torn_tail_refuses_to_resume() {
    let (_d, path) = write_log(2);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.truncate(text.len() - 10);
    std::fs::write(&path, &text).unwrap();
    assert!(matches!(AuditLog::open(&path, false), Err(AuditError::Corrupt { .. })));
    assert!(verify(&path).is_err());
}
