//! Tool mappers: which analyzers a call's arguments go through, by tool.
//!
//! OpenClaw's built-in tools are mapped by name (case-insensitive) with their argument aliases (`path` /
//! `file_path` / `filePath`, `oldText` / `old_string`, `edits[]`, patch headers for `apply_patch`). Any
//! other tool — a generic MCP tool — is mapped by its argument names (command/script → shell, url/uri →
//! URL, path/file → path, sql/query → SQL) and by the annotations its server published. Every string
//! argument is also scanned for secrets and personal data.
use super::shell::{self, classify::Intent, Ctx, State};
use super::url::{inspect_url, UrlContext};
use super::{Analyzer, Facts, Tag};
use crate::call::ToolHints;
use crate::redact::{Direction, Redactor};
use serde_json::Value;
use std::sync::OnceLock;

/// The first string found under any of these keys.
fn arg<'a>(args: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| args.get(*k).and_then(Value::as_str))
}

fn action(args: &Value) -> String {
    arg(args, &["action", "op", "operation", "method"]).unwrap_or("").to_ascii_lowercase()
}

const PATH_KEYS: &[&str] = &["path", "file_path", "filePath", "file", "filename", "target_file", "notebook_path"];
const URL_KEYS: &[&str] = &["url", "uri", "href", "targetUrl", "target_url", "endpoint", "link"];
const COMMAND_KEYS: &[&str] = &["command", "cmd", "script", "shell", "bash", "code_to_run"];

/// Runs a shell command through the shell analyzer.
pub fn shell_command(an: &Analyzer, cmd: &str, cwd: Option<&str>, facts: &mut Facts) {
    facts.tag(Tag::ShellExec, format!("runs `{}`", short(cmd)));
    let role = shell::analyze(Ctx { an, cwd, depth: 0 }, cmd, facts);
    let _ = role;
}

fn path(an: &Analyzer, raw: &str, intent: Intent, who: &str, facts: &mut Facts) {
    let st = State::default();
    shell::classify::check_path(Ctx { an, cwd: None, depth: 0 }, &st, raw, intent, who, false, facts);
}

fn url(an: &Analyzer, raw: &str, facts: &mut Facts) {
    if let Some(local) = inspect_url(raw, UrlContext::Fetch, an.resolve, facts) {
        facts.tag(Tag::Ssrf, format!("a fetch tool asked for a local file ({})", short(raw)));
        path(an, &local, Intent::Read, "a file: URL", facts);
    }
}

/// Shortens a value for evidence text.
fn short(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(120) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Maps one call onto the analyzers.
pub fn inspect(an: &Analyzer, tool: &str, args: &Value, hints: ToolHints, facts: &mut Facts) {
    let who = tool.to_string();
    match tool {
        "exec" | "bash" | "shell" | "run_command" | "execute" | "execute_command" | "terminal"
        | "run_shell_command" | "run_terminal_cmd" | "sh" => {
            let cwd = arg(args, &["workdir", "cwd", "working_directory", "dir"]);
            match arg(args, COMMAND_KEYS) {
                Some(cmd) => shell_command(an, cmd, cwd, facts),
                None => facts.tag(Tag::Unparsed, "a shell tool call without a command string"),
            }
            // `elevated: true` (run on the host, outside the sandbox) is left to policy: the profiles strip it
            // (constrain) rather than refuse the command.
            if let Some(env) = args.get("env").and_then(Value::as_object) {
                for k in env.keys() {
                    if matches!(
                        k.as_str(),
                        "LD_PRELOAD" | "LD_LIBRARY_PATH" | "DYLD_INSERT_LIBRARIES" | "PROMPT_COMMAND" | "BASH_ENV"
                    ) {
                        facts.tag(Tag::DefenseEvasion, format!("sets {k} for the command"));
                    }
                }
            }
        }
        "process" => match action(args).as_str() {
            "write" | "send-keys" | "submit" | "paste" => {
                if let Some(text) = arg(args, &["data", "text", "literal"]) {
                    shell_command(an, text, None, facts);
                }
            }
            "list" | "poll" | "log" => facts.tag(Tag::ReadOnly, "inspects running processes"),
            _ => {}
        },
        "read" | "read_file" | "view" | "cat" | "open_file" | "read_text_file" | "read_multiple_files" => {
            for p in paths(args) {
                path(an, &p, Intent::Read, &who, facts);
            }
            if !facts.tags.contains(Tag::CredentialAccess) {
                facts.tag(Tag::ReadOnly, "reads a file");
            }
        }
        "ls" | "list" | "list_dir" | "list_directory" | "glob" | "grep" | "search_files" | "find"
        | "directory_tree" => {
            for p in paths(args) {
                path(an, &p, Intent::Read, &who, facts);
            }
            if !facts.tags.contains(Tag::CredentialAccess) {
                facts.tag(Tag::ReadOnly, "lists or searches files");
            }
        }
        "write" | "write_file" | "create_file" | "edit" | "str_replace" | "multi_edit" | "edit_file"
        | "str_replace_editor" | "notebook_edit" => {
            for p in paths(args) {
                path(an, &p, Intent::Write, &who, facts);
            }
            if let Some(edits) = args.get("edits").and_then(Value::as_array) {
                for e in edits {
                    for p in paths(e) {
                        path(an, &p, Intent::Write, &who, facts);
                    }
                }
            }
        }
        "apply_patch" => {
            let patch = arg(args, &["input", "patch", "diff"]).unwrap_or("");
            for (p, intent) in patch_paths(patch) {
                path(an, &p, intent, "apply_patch", facts);
            }
            facts.tags.insert(Tag::FileWrite);
        }
        "web_fetch" | "fetch" | "http_get" | "http_request" | "fetch_url" | "curl" => match arg(args, URL_KEYS) {
            Some(u) => url(an, u, facts),
            None => facts.tag(Tag::Unparsed, "a fetch without a URL"),
        },
        "browser" => {
            if let Some(u) = arg(args, URL_KEYS) {
                url(an, u, facts);
            }
            if matches!(action(args).as_str(), "evaluate" | "eval" | "script") {
                facts.tag(Tag::Network, "runs JavaScript in a browser page");
            }
        }
        "web_search" | "search" => facts.tag(Tag::ReadOnly, "searches the web"),
        "message" | "send_message" | "slack" | "telegram" | "whatsapp" | "discord" | "email" | "send_email" | "sms" => {
            match action(args).as_str() {
                "read" | "list" | "search" | "history" | "get" => facts.tag(Tag::ReadOnly, "reads messages"),
                _ => {
                    let to = arg(args, &["target", "to", "channel", "recipient", "chatId"]).unwrap_or("someone");
                    facts.tag(Tag::OutboundMessage, format!("sends a message to {}", short(to)));
                }
            }
        }
        "cron" | "schedule" => match action(args).as_str() {
            "list" | "status" | "runs" | "get" => facts.tag(Tag::ReadOnly, "lists scheduled jobs"),
            _ => facts.tag(Tag::ScheduledJob, "schedules or changes a recurring job"),
        },
        "gateway" => {
            let a = action(args);
            if a.starts_with("config.apply")
                || a.starts_with("config.patch")
                || a.starts_with("config.set")
                || a.contains("restart")
                || a.starts_with("update")
            {
                facts.tag(Tag::ConfigTamper, format!("changes the agent gateway ({a})"));
            } else {
                facts.tag(Tag::ReadOnly, "reads the gateway state");
            }
        }
        "nodes" => {
            let a = action(args);
            if let Some(cmd) = arg(args, COMMAND_KEYS) {
                shell_command(an, cmd, None, facts);
            }
            if matches!(a.as_str(), "run" | "invoke" | "exec") {
                facts.tag(Tag::InfraChange, "runs a command on a paired device");
            }
        }
        "sessions_spawn" | "sessions_send" | "openclaw" | "subagents" | "spawn_agent" | "agent" => {
            facts.tag(Tag::SubAgent, "starts or messages another agent session");
        }
        "canvas" | "image" | "tts" | "sessions_list" | "sessions_history" | "session_status" | "sessions_yield"
        | "tool_search" | "tool_describe" | "memory_search" | "memory_get" | "agents_list" => {
            facts.tag(Tag::ReadOnly, "no side effect outside the agent")
        }
        _ => generic(an, tool, args, facts),
    }
    if hints.open_world == Some(true) {
        facts.tags.insert(Tag::Network);
    }
    scan_strings(args, facts);
}

/// Every path a file tool names (aliases, and `paths[]`).
fn paths(args: &Value) -> Vec<String> {
    let mut out: Vec<String> =
        PATH_KEYS.iter().filter_map(|k| args.get(*k).and_then(Value::as_str)).map(str::to_string).collect();
    if let Some(list) = args.get("paths").and_then(Value::as_array) {
        out.extend(list.iter().filter_map(Value::as_str).map(str::to_string));
    }
    out
}

/// Paths named by a patch: `*** Add/Update/Delete File:` headers, `*** Move to:`, and `---`/`+++` lines.
pub fn patch_paths(patch: &str) -> Vec<(String, Intent)> {
    let mut out = Vec::new();
    for line in patch.lines().take(100_000) {
        let line = line.trim_end();
        let (p, intent) = if let Some(p) = line.strip_prefix("*** Delete File:") {
            (p, Intent::Delete)
        } else if let Some(p) = line.strip_prefix("*** Add File:").or_else(|| line.strip_prefix("*** Update File:")) {
            (p, Intent::Write)
        } else if let Some(p) = line.strip_prefix("*** Move to:") {
            (p, Intent::Write)
        } else if let Some(p) = line.strip_prefix("+++ ").or_else(|| line.strip_prefix("--- ")) {
            let p = p.split('\t').next().unwrap_or(p);
            let p = p.strip_prefix("a/").or_else(|| p.strip_prefix("b/")).unwrap_or(p);
            if p == "/dev/null" {
                continue;
            }
            (p, Intent::Write)
        } else {
            continue;
        };
        let p = p.trim();
        if !p.is_empty() && !out.iter().any(|(q, _)| q == p) {
            out.push((p.to_string(), intent));
        }
    }
    out
}

/// A tool airlock does not know: judge its arguments by their names.
fn generic(an: &Analyzer, tool: &str, args: &Value, facts: &mut Facts) {
    let writes = [
        "write", "create", "delete", "remove", "update", "edit", "put", "upload", "save", "move", "rename", "mkdir",
        "chmod", "rm",
    ]
    .iter()
    .any(|w| tool.contains(w));
    let deletes = ["delete", "remove", "rm", "drop", "destroy", "purge", "wipe"].iter().any(|w| tool.contains(w));
    let sends =
        ["send", "post", "message", "email", "notify", "tweet", "publish", "reply"].iter().any(|w| tool.contains(w));
    let Some(map) = args.as_object() else { return };
    for (k, v) in map {
        let key = k.to_ascii_lowercase();
        let Some(s) = v.as_str() else { continue };
        if COMMAND_KEYS.iter().any(|c| key == *c) {
            shell_command(an, s, None, facts);
        } else if URL_KEYS.iter().any(|u| key == u.to_ascii_lowercase()) {
            url(an, s, facts);
        } else if matches!(
            key.as_str(),
            "path" | "file" | "filename" | "filepath" | "file_path" | "dir" | "directory" | "source" | "destination"
        ) {
            let intent = if deletes {
                Intent::Delete
            } else if writes {
                Intent::Write
            } else {
                Intent::Read
            };
            path(an, s, intent, tool, facts);
        } else if matches!(key.as_str(), "sql" | "query" | "statement") {
            sql(s, facts);
        }
    }
    if sends && ["to", "recipient", "channel", "chat_id", "email", "target"].iter().any(|k| map.contains_key(*k)) {
        facts.tag(Tag::OutboundMessage, format!("{tool} sends to a recipient"));
    }
}

/// Destructive SQL: DROP / TRUNCATE, and DELETE or UPDATE without WHERE.
pub fn sql(q: &str, facts: &mut Facts) {
    let upper = q.to_ascii_uppercase();
    let words: Vec<&str> =
        upper.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').filter(|w| !w.is_empty()).collect();
    if words.is_empty()
        || !matches!(
            words[0],
            "SELECT"
                | "INSERT"
                | "UPDATE"
                | "DELETE"
                | "DROP"
                | "TRUNCATE"
                | "ALTER"
                | "CREATE"
                | "GRANT"
                | "WITH"
                | "SHOW"
                | "EXPLAIN"
                | "REVOKE"
        )
    {
        return;
    }
    for statement in upper.split(';') {
        let w: Vec<&str> = statement.split_whitespace().collect();
        match w.first().copied() {
            Some("DROP") | Some("TRUNCATE") => facts.tag(Tag::Destructive, format!("SQL: {}", short(statement))),
            Some("DELETE") | Some("UPDATE") if !w.contains(&"WHERE") => {
                facts.tag(Tag::Destructive, format!("SQL {} without WHERE", w[0]))
            }
            Some("GRANT") | Some("REVOKE") | Some("ALTER") => {
                facts.tag(Tag::InfraChange, format!("SQL: {}", short(statement)))
            }
            Some("SELECT") | Some("SHOW") | Some("EXPLAIN") => facts.tags.insert(Tag::ReadOnly),
            _ => {}
        }
    }
}

fn detector() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(Redactor::default)
}

const PII: &[&str] = &["email", "phone", "card", "iban", "ssn", "aadhaar", "pan", "nino"];

/// Tags `secret-in-args` / `pii-in-args` from the redaction detectors, over every string argument.
fn scan_strings(args: &Value, facts: &mut Facts) {
    let mut budget = 256usize;
    let mut stack = vec![args];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) if budget > 0 => {
                budget -= 1;
                for f in detector().redact_text(s, Direction::ToolArgs).findings {
                    if PII.contains(&f.kind) {
                        facts.tag(Tag::PiiInArgs, format!("an argument contains personal data ({})", f.kind));
                    } else {
                        facts.tag(Tag::SecretInArgs, format!("an argument contains a secret ({})", f.kind));
                    }
                }
            }
            Value::Array(items) => stack.extend(items.iter()),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_headers_name_every_file() {
        let p = "*** Begin Patch\n*** Update File: src/a.rs\n@@\n-x\n+y\n*** Delete File: ~/.bashrc\n*** Add File: b.txt\n*** End Patch";
        let got: Vec<String> = patch_paths(p).into_iter().map(|(p, _)| p).collect();
        assert_eq!(got, vec!["src/a.rs", "~/.bashrc", "b.txt"]);
        let unified = "--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@";
        assert_eq!(patch_paths(unified).len(), 1);
    }

    #[test]
    fn sql_destruction() {
        let mut f = Facts::default();
        sql("DELETE FROM users", &mut f);
        assert!(f.tags.contains(Tag::Destructive));
        let mut f = Facts::default();
        sql("delete from users where id = 3", &mut f);
        assert!(!f.tags.contains(Tag::Destructive));
        let mut f = Facts::default();
        sql("select 1; drop table users", &mut f);
        assert!(f.tags.contains(Tag::Destructive));
    }
}
