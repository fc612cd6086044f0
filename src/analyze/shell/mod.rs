//! Shell analysis: what a command line really runs, and what that means.
//!
//! [`lex`] tokenizes; this file groups tokens into pipelines of simple commands, peels wrappers (`sudo`, `env`,
//! `nohup`, `timeout`, `xargs`, `busybox` …) and environment prefixes, recurses into `sh -c`, `eval`,
//! substitutions and decoded payloads (bounded by [`MAX_DEPTH`]), and applies the rules that need a whole
//! pipeline (`curl … | sh`, `base64 -d | bash`, `cat secret | nc`). Per-command meaning lives in
//! [`classify`], wrappers in [`wrappers`], network commands in [`net`], inline interpreter code and decoders
//! in [`inline`].
//! Nothing here runs anything; all work is bounded by input length, token count and depth.
pub mod classify;
pub mod decode;
pub mod delivery;
pub mod inline;
pub mod interp;
pub mod lex;
pub mod net;
pub mod system;
pub mod wrappers;

use super::{Analyzer, Facts, Tag};
use lex::{Op, Redirect, SubKind, Token, Word};
use std::collections::HashMap;

/// Nesting (`sh -c`, `eval`, `$(…)`, decoded payloads) deeper than this is `unparsed`.
pub const MAX_DEPTH: u8 = 5;
/// Scripts longer than this are analyzed up to this length and tagged `unparsed`.
pub const MAX_LEN: usize = 64 * 1024;

/// The analysis context of one piece of shell code.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub an: &'a Analyzer,
    /// The working directory, when known (exec `workdir`).
    pub cwd: Option<&'a str>,
    pub depth: u8,
}

impl<'a> Ctx<'a> {
    /// The same context one nesting level deeper.
    pub fn deeper(self) -> Ctx<'a> {
        Ctx { depth: self.depth + 1, ..self }
    }
}

/// What a command (or a whole script) does, as far as pipeline rules care.
#[derive(Debug, Clone, Default)]
pub struct Role {
    /// Fetches remote content to stdout or a file.
    pub downloads: bool,
    /// Decodes or unscrambles text (base64 -d, xxd -r, printf '\x..', rev).
    pub decodes: bool,
    /// Reads credentials or dumps the environment.
    pub sensitive: bool,
    /// Prints host identity (whoami, id, hostname, uname).
    pub recon: bool,
    /// Executes what arrives on stdin (sh, bash, python with no script).
    pub runs_stdin: bool,
    /// A raw network client that can carry a shell (nc, telnet, socat, openssl s_client).
    pub net_tool: bool,
    /// Sends its stdin or a file to a remote host.
    pub net_send: bool,
    /// An interactive shell (`sh -i`, plain `sh`).
    pub shell: bool,
    /// Sends to a paste site, request catcher or webhook.
    pub drop_site: bool,
    /// Changes nothing.
    pub read_only: bool,
    /// A literal this command prints (echo/printf), for decoding payloads.
    pub literal: Option<String>,
    /// The decoder this command applies.
    pub decoder: Option<decode::Decoder>,
    /// The text a decoding pipeline produced (when it could be decoded statically).
    pub decoded: Option<String>,
}

impl Role {
    /// Takes in what another command (a pipeline stage, or code an interpreter runs) does.
    fn merge(&mut self, o: &Role) {
        self.downloads |= o.downloads;
        self.decodes |= o.decodes;
        self.sensitive |= o.sensitive;
        self.recon |= o.recon;
        self.net_send |= o.net_send;
        self.read_only &= o.read_only;
        if self.decoded.is_none() {
            self.decoded.clone_from(&o.decoded);
        }
    }
}

/// One simple command as written: words and redirections.
#[derive(Debug, Clone, Default)]
pub struct Simple {
    pub words: Vec<Word>,
    pub redirs: Vec<Redirect>,
}

/// A resolved command: wrappers peeled, name by basename.
#[derive(Debug, Clone)]
pub struct Cmd {
    /// The program's basename, lowercased, `.exe` removed.
    pub name: String,
    /// Arguments after the name.
    pub args: Vec<Word>,
    pub redirs: Vec<Redirect>,
    /// Stdin comes from the previous pipeline stage.
    pub piped_in: bool,
    /// Stdout goes to the next pipeline stage.
    pub piped_out: bool,
    /// Run by `xargs`: more arguments arrive on stdin.
    pub via_xargs: bool,
    /// Nested code found in the words, already analyzed: (word index or usize::MAX for argv0, kind, summary).
    pub subs: Vec<(SubKind, Role)>,
}

impl Cmd {
    /// Argument texts.
    pub fn argv(&self) -> Vec<&str> {
        self.args.iter().map(|w| w.text.as_str()).collect()
    }
}

/// Per-script state: variables set earlier, files downloaded earlier, the working directory.
#[derive(Default)]
pub struct State {
    pub vars: HashMap<String, String>,
    pub tainted: HashMap<String, Role>,
    pub downloaded: Vec<String>,
    pub cwd: Option<String>,
}

/// Analyzes a script; tags go into `facts`; the returned role summarizes it for an enclosing pipeline.
pub fn analyze(ctx: Ctx<'_>, src: &str, facts: &mut Facts) -> Role {
    let mut total = Role { read_only: true, ..Role::default() };
    if ctx.depth > MAX_DEPTH {
        facts.tag(Tag::Unparsed, format!("shell nesting deeper than {MAX_DEPTH} levels"));
        total.read_only = false;
        return total;
    }
    let mut src = src;
    if src.len() > MAX_LEN {
        let mut end = MAX_LEN;
        while !src.is_char_boundary(end) {
            end -= 1;
        }
        src = &src[..end];
        facts.tag(Tag::Unparsed, format!("command longer than {MAX_LEN} bytes; only the start was analyzed"));
    }
    if let Some(why) = decode::fork_bomb(src) {
        facts.tag(Tag::Destructive, why);
    }
    if src.contains("$IFS") || src.contains("${IFS}") {
        facts.tag(Tag::Obfuscated, "uses $IFS in place of spaces to hide the command");
        let spaced = src.replace("${IFS}", " ").replace("$IFS", " ");
        return analyze(ctx.deeper(), &spaced, facts);
    }
    let lexed = lex::lex(src);
    if lexed.incomplete {
        facts.tag(Tag::Unparsed, "the command has unterminated quotes or is too long to tokenize fully");
    }
    let mut st = State { cwd: ctx.cwd.map(str::to_string), ..State::default() };
    for pipeline in group(lexed.tokens) {
        let n = pipeline.len();
        let mut roles: Vec<Role> = Vec::with_capacity(n);
        let mut cmds: Vec<Option<Cmd>> = Vec::with_capacity(n);
        for (i, simple) in pipeline.into_iter().enumerate() {
            let cmd = resolve(ctx, simple, &mut st, facts, i > 0, i + 1 < n);
            let role = match &cmd {
                Some(c) => classify::classify(ctx, c, &mut st, facts),
                None => Role { read_only: true, ..Role::default() },
            };
            roles.push(role);
            cmds.push(cmd);
        }
        let out = pipeline_rules(ctx, &cmds, &roles, facts);
        for r in &roles {
            total.merge(r);
        }
        if total.decoded.is_none() {
            total.decoded = out;
        }
    }
    total
}

/// Splits tokens into pipelines (lists of simple commands).
fn group(tokens: Vec<Token>) -> Vec<Vec<Simple>> {
    let mut out = Vec::new();
    let mut pipe: Vec<Simple> = Vec::new();
    let mut cur = Simple::default();
    for t in tokens {
        match t {
            Token::Word(w) => cur.words.push(w),
            Token::Redirect(r) => cur.redirs.push(r),
            Token::Op(Op::Pipe) => pipe.push(std::mem::take(&mut cur)),
            Token::Op(_) => {
                pipe.push(std::mem::take(&mut cur));
                out.push(std::mem::take(&mut pipe));
            }
        }
    }
    pipe.push(cur);
    out.push(pipe);
    out.retain(|p| p.iter().any(|s| !s.words.is_empty() || !s.redirs.is_empty()));
    out
}

/// The basename of a program path, lowercased, without `.exe`.
pub fn basename(word: &str) -> String {
    let b = word.rsplit(['/', '\\']).next().unwrap_or(word).to_ascii_lowercase();
    b.strip_suffix(".exe").map(str::to_string).unwrap_or(b)
}

fn is_assignment(w: &Word) -> Option<(String, String)> {
    let (name, value) = w.text.split_once('=')?;
    let valid = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    valid.then(|| (name.to_string(), value.to_string()))
}

/// Expands `$NAME` / `${NAME}` for variables assigned earlier in the script.
fn expand(text: &str, vars: &HashMap<String, String>) -> String {
    if !text.contains('$') || vars.is_empty() {
        return text.to_string();
    }
    let mut out = text.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("${{{k}}}"), v).replace(&format!("${k}"), v);
    }
    out
}

const KEYWORDS: &[&str] =
    &["if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "time", "fi", "done", "esac"];

/// Peels keywords, assignments and wrappers; returns the command that really runs.
fn resolve(
    ctx: Ctx<'_>,
    simple: Simple,
    st: &mut State,
    facts: &mut Facts,
    piped_in: bool,
    piped_out: bool,
) -> Option<Cmd> {
    let mut subs = Vec::new();
    for w in simple.words.iter().chain(simple.redirs.iter().map(|r| &r.target)) {
        for s in &w.subs {
            subs.push((s.kind, analyze(ctx.deeper(), &s.src, facts)));
        }
    }
    for r in &simple.redirs {
        if r.op == "<<" || r.op == "<<<" {
            // bodies are judged where they are consumed (shells, interpreters, crontab)
        }
    }
    let mut words: Vec<Word> = simple.words;
    let mut i = 0;
    let mut assigned = false;
    while i < words.len() {
        let t = words[i].text.as_str();
        if KEYWORDS.contains(&t) {
            i += 1;
            continue;
        }
        if matches!(t, "for" | "case" | "select" | "function") {
            return None;
        }
        if let Some((k, v)) = is_assignment(&words[i]) {
            classify::check_assignment(&k, &v, facts);
            let v = expand(&v, &st.vars);
            if let Some((_, role)) = subs.iter().find(|(_, r)| r.decodes || r.downloads) {
                st.tainted.insert(k.clone(), role.clone());
            }
            st.vars.insert(k, v);
            assigned = true;
            i += 1;
            continue;
        }
        break;
    }
    if i >= words.len() {
        if !simple.redirs.is_empty() {
            let cmd = Cmd {
                name: String::new(),
                args: Vec::new(),
                redirs: simple.redirs,
                piped_in,
                piped_out,
                via_xargs: false,
                subs,
            };
            return Some(cmd);
        }
        let _ = assigned;
        return None;
    }
    words.drain(..i);
    for w in words.iter_mut() {
        if w.text.contains('$') {
            let expanded = expand(&w.text, &st.vars);
            if expanded != w.text {
                w.text = expanded;
            }
        }
    }
    // Brace expansion in command position: {rm,-rf,/}
    if let Some(first) = words.first() {
        let t = &first.text;
        if t.starts_with('{') && t.ends_with('}') && t.contains(',') && !first.quoted {
            facts.tag(Tag::Obfuscated, format!("brace expansion builds the command: {t}"));
            let inner: Vec<Word> =
                t[1..t.len() - 1].split(',').map(|p| Word { text: p.to_string(), ..Word::default() }).collect();
            words.splice(0..1, inner);
        }
    }
    let mut cmd =
        Cmd { name: String::new(), args: words, redirs: simple.redirs, piped_in, piped_out, via_xargs: false, subs };
    wrappers::peel(ctx, &mut cmd, st, facts);
    Some(cmd)
}

/// Rules over a whole pipeline; returns the statically decoded payload when the pipeline ends in a decoder.
fn pipeline_rules(ctx: Ctx<'_>, cmds: &[Option<Cmd>], roles: &[Role], facts: &mut Facts) -> Option<String> {
    let name = |i: usize| cmds[i].as_ref().map_or(String::new(), |c| c.name.clone());
    let mut decoded: Option<String> = None;
    for (i, r) in roles.iter().enumerate() {
        if r.decodes {
            let input =
                if i > 0 { roles[i - 1].literal.clone().or_else(|| roles[i - 1].decoded.clone()) } else { None };
            let input = input.or_else(|| r.literal.clone());
            decoded = match (input, r.decoder) {
                (Some(text), Some(d)) => decode::decode(d, &text),
                _ => None,
            };
        }
        let later = &roles[i + 1..];
        if let Some(j) = later.iter().position(|s| s.runs_stdin) {
            let sink = name(i + 1 + j);
            if r.downloads {
                facts.tag(Tag::RemoteCode, format!("pipes downloaded content from {} into {sink}", name(i)));
            }
            if r.decodes {
                facts.tag(Tag::Obfuscated, format!("pipes decoded data from {} into {sink}", name(i)));
                if let Some(text) = &decoded {
                    let kind = inline::Lang::of(&sink);
                    inline::analyze_payload(ctx.deeper(), kind, text, facts);
                }
            }
        }
        if r.sensitive || r.recon {
            if let Some(j) = later.iter().position(|s| s.net_send || s.net_tool) {
                facts.tag(Tag::Exfiltration, format!("pipes {} output into {} (network)", name(i), name(i + 1 + j)));
            }
        }
        if (r.net_tool && later.iter().any(|s| s.shell)) || (r.shell && later.iter().any(|s| s.net_tool)) {
            facts.tag(
                Tag::ReverseShell,
                format!(
                    "connects a shell and {} through a pipe",
                    if r.net_tool { name(i) } else { "a network client".into() }
                ),
            );
        }
        if r.drop_site && i > 0 {
            facts.tag(Tag::Exfiltration, format!("pipes {} output to a paste site or request catcher", name(i - 1)));
        }
    }
    // `echo / | xargs rm -rf`, `xargs rm -rf <<< /`: judge the command xargs will really run.
    for (i, c) in cmds.iter().enumerate() {
        let Some(c) = c.as_ref().filter(|c| c.via_xargs) else { continue };
        let fed = c.redirs.iter().find(|r| r.op == "<<<" || r.op == "<<").map(|r| r.target.text.clone());
        let fed = fed.or_else(|| i.checked_sub(1).and_then(|p| roles[p].literal.clone()));
        if let Some(input) = fed {
            let argv: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
            let line = format!("{} {}", argv.join(" "), input.split_whitespace().collect::<Vec<_>>().join(" "));
            analyze(ctx.deeper(), &line, facts);
        }
    }
    let last_is_decoder = roles.last().is_some_and(|r| r.decodes);
    if last_is_decoder {
        decoded
    } else {
        roles.last().and_then(|r| r.decoded.clone())
    }
}
