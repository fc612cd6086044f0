//! Delivery and infrastructure: git pushes, package installs, publishing, cloud/cluster CLIs, containers.
//!
//! Pushing a feature branch is everyday work; a force push rewrites shared history (`force-push`), a push
//! that names a protected branch (`main`, `master`, `release*`, `prod*`, `production`, `live`, `deploy`) or
//! tags is a `deploy`. A plain `git push` with no refspec pushes the current branch, which analysis cannot
//! see: it is left as everyday work (documented in `config/policies/README.md`).
use super::classify::{check_path, Intent};
use super::{Cmd, Ctx, Role, State};
use crate::analyze::url::{inspect_url, looks_like_url, UrlContext};
use crate::analyze::{Facts, Tag};

fn protected_branch(r: &str) -> bool {
    let b = r.trim_start_matches('+').rsplit(':').next().unwrap_or(r);
    let b = b.strip_prefix("refs/heads/").unwrap_or(b);
    matches!(b, "main" | "master" | "production" | "prod" | "live" | "deploy" | "stable" | "trunk")
        || b.starts_with("release")
        || b.starts_with("prod")
        || (b.starts_with('v') && b[1..].starts_with(|c: char| c.is_ascii_digit()))
}

/// git: force pushes, protected pushes, remote URLs, hooks.
pub fn git(ctx: Ctx<'_>, cmd: &Cmd, argv: &[&str], st: &mut State, facts: &mut Facts) -> Option<Role> {
    let mut role = Role { read_only: false, ..Role::default() };
    let mut k = 0;
    while k < argv.len() && argv[k].starts_with('-') {
        if matches!(argv[k], "-c" | "-C") {
            if argv[k] == "-c" {
                let v = argv.get(k + 1).copied().unwrap_or("").to_ascii_lowercase();
                if v.contains("protocol.ext.allow")
                    || v.contains("sshcommand")
                    || v.contains("core.pager")
                    || v.contains("core.fsmonitor")
                {
                    facts.tag(Tag::RemoteCode, format!("git -c {v} runs an arbitrary program"));
                }
            }
            k += 1;
        }
        k += 1;
    }
    let sub = argv.get(k).copied().unwrap_or("");
    let rest = &argv[(k + 1).min(argv.len())..];
    for u in rest.iter().filter(|a| looks_like_url(a) || a.starts_with("ext::")) {
        if u.starts_with("ext::") {
            facts.tag(Tag::RemoteCode, format!("git remote {u} runs a command"));
        } else {
            inspect_url(u, UrlContext::Shell, ctx.an.resolve, facts);
        }
    }
    match sub {
        "push" => {
            facts.tags.insert(Tag::Network);
            let force = rest.iter().any(|a| {
                matches!(*a, "-f" | "--force" | "--mirror" | "--delete" | "-d" | "--prune")
                    || a.starts_with("--force-with-lease")
                    || a.starts_with("--force-if-includes")
            });
            let refs: Vec<&str> = rest.iter().filter(|a| !a.starts_with('-')).skip(1).copied().collect();
            if force || refs.iter().any(|r| r.starts_with('+') || r.starts_with(':')) {
                facts.tag(Tag::ForcePush, format!("git push {} rewrites or deletes remote history", rest.join(" ")));
            }
            if rest.contains(&"--tags") || refs.iter().any(|r| protected_branch(r)) {
                facts.tag(Tag::Deploy, format!("git push {} updates a protected branch or tags", rest.join(" ")));
            }
            let remote = rest.iter().find(|a| !a.starts_with('-')).copied().unwrap_or("");
            if matches!(remote, "heroku" | "dokku" | "production" | "prod" | "live") {
                facts.tag(Tag::Deploy, format!("git push to the {remote} remote deploys"));
            }
        }
        "clone" | "fetch" | "pull" | "ls-remote" | "submodule" => facts.tags.insert(Tag::Network),
        "config" => {
            let joined = rest.join(" ").to_ascii_lowercase();
            if joined.contains("core.hookspath")
                || joined.contains("core.fsmonitor")
                || joined.contains("core.sshcommand")
            {
                facts.tag(Tag::Persistence, format!("git config {joined} makes git run a program later"));
            }
            if joined.contains("alias.") && joined.contains('!') {
                facts.tag(Tag::Persistence, "git config alias runs a shell command later");
            }
        }
        "credential" if rest.first() == Some(&"fill") => {
            facts.tag(Tag::CredentialAccess, "git credential fill prints stored credentials");
            role.sensitive = true;
        }
        "clean" | "reset" | "checkout" | "restore" | "rm" => {
            let cleaning = sub == "clean" || sub == "rm";
            for p in rest.iter().filter(|a| !a.starts_with('-')) {
                let intent = if cleaning { Intent::Delete } else { Intent::Write };
                check_path(ctx, st, p, intent, &format!("git {sub}"), cleaning, facts);
            }
        }
        _ => {}
    }
    let _ = cmd;
    Some(role)
}

const READ_VERBS: &[&str] = &[
    "list",
    "ls",
    "describe",
    "get",
    "show",
    "view",
    "status",
    "info",
    "version",
    "help",
    "logs",
    "plan",
    "validate",
    "fmt",
    "init",
    "output",
    "whoami",
    "search",
    "outdated",
    "audit",
    "inspect",
    "ps",
    "images",
    "top",
    "diff",
    "explain",
    "api-resources",
    "config",
    "login",
    "auth",
    "top",
    "history",
    "doctor",
    "lint",
    "template",
    "graph",
    "providers",
    "preview",
    "tree",
    "metadata",
];

fn read_verb(v: &str) -> bool {
    READ_VERBS.contains(&v) || v.starts_with("describe-") || v.starts_with("list-") || v.starts_with("get-")
}

/// Package managers, publishing, cloud and cluster CLIs, containers; `None` when not one of them.
pub fn delivery(ctx: Ctx<'_>, cmd: &Cmd, argv: &[&str], facts: &mut Facts) -> Option<Role> {
    let name = cmd.name.as_str();
    let pos: Vec<&str> = argv.iter().filter(|a| !a.starts_with('-')).copied().collect();
    let verb = pos.first().copied().unwrap_or("");
    let joined = argv.join(" ");
    let mut role = Role::default();
    let t = |facts: &mut Facts, tag: Tag, why: String| facts.tag(tag, why);
    match name {
        "pip" | "pip3" | "pipx" | "uv" | "poetry" | "pdm" | "conda" | "mamba" | "easy_install" | "gem" | "cargo"
        | "go" | "npm" | "pnpm" | "yarn" | "bun" | "composer" | "cpan" | "cpanm" | "dotnet" | "nix-env" | "brew"
        | "port" | "apt" | "apt-get" | "aptitude" | "yum" | "dnf" | "apk" | "pacman" | "zypper" | "snap"
        | "flatpak" | "choco" | "winget" | "scoop" | "rpm" | "dpkg" | "opkg" | "emerge" | "deno" | "npx" | "pnpx"
        | "bunx" | "uvx" | "helm" | "mvn" | "gradle" | "twine" | "flit" | "vsce" | "ovsx" => {
            package(name, verb, &pos, argv, &joined, facts);
        }
        "terraform" | "tofu" | "terragrunt" | "pulumi" | "cdk" | "cdktf" | "sam" | "serverless" | "sls"
        | "ansible-playbook" | "ansible" | "eksctl" | "kops" | "doctl" | "linode-cli" | "hcloud" | "vultr-cli"
        | "oci" | "ibmcloud" | "aliyun" | "scw" | "kubectl" | "oc" | "k9s" | "kustomize" | "aws" | "gcloud"
        | "gsutil" | "az" | "flyctl" | "fly" | "vercel" | "netlify" | "firebase" | "wrangler" | "heroku"
        | "railway" | "render" | "eb" | "argocd" | "skaffold" | "gh" | "glab" | "docker" | "podman" | "nerdctl"
        | "docker-compose" | "kind" | "minikube" | "vagrant" | "packer" | "nomad" | "consul" | "vault" => {
            return infra(ctx, name, verb, &pos, argv, &joined, facts);
        }
        _ => return None,
    }
    let _ = t;
    role.read_only = false;
    Some(role)
}

fn package(name: &str, verb: &str, pos: &[&str], argv: &[&str], joined: &str, facts: &mut Facts) {
    let named = pos.len() > 1;
    let from_file = argv.iter().any(|a| matches!(*a, "-r" | "--requirement" | "-e" | "--editable"))
        || pos.get(1).is_some_and(|p| *p == "." || p.starts_with("./"));
    match (name, verb) {
        ("npm" | "pnpm" | "yarn" | "bun", "publish")
        | ("cargo" | "poetry" | "pdm" | "flit" | "vsce" | "ovsx", "publish")
        | ("gem", "push")
        | ("twine", "upload")
        | ("dotnet", "nuget")
        | ("mvn", "deploy")
        | ("gradle", "publish") => {
            facts.tag(Tag::Deploy, format!("{name} {joined} publishes a package"));
        }
        ("npx" | "pnpx" | "bunx" | "uvx", _) | ("pipx", "run") | ("pnpm" | "yarn", "dlx") | ("deno", "run")
            if !pos.is_empty() =>
        {
            let target =
                if matches!(name, "npx" | "pnpx" | "bunx" | "uvx") { verb } else { pos.get(1).copied().unwrap_or("") };
            if !matches!(
                target,
                "tsc"
                    | "jest"
                    | "vitest"
                    | "eslint"
                    | "prettier"
                    | "tsx"
                    | "ts-node"
                    | "mocha"
                    | "playwright"
                    | "next"
                    | "vite"
                    | "webpack"
                    | "rollup"
                    | "esbuild"
                    | "nx"
                    | "turbo"
                    | "lerna"
                    | "biome"
                    | "ruff"
                    | "black"
                    | "pytest"
                    | "mypy"
            ) {
                facts.tag(Tag::PackageInstall, format!("{name} {joined} downloads and runs a package"));
            }
        }
        ("npm" | "pnpm" | "bun", "install" | "i" | "add" | "ci") | ("yarn", "add" | "global")
            if named || argv.iter().any(|a| *a == "-g" || *a == "--global") =>
        {
            facts.tag(Tag::PackageInstall, format!("{name} {joined} installs packages"));
        }
        (
            "pip" | "pip3" | "pipx" | "easy_install" | "conda" | "mamba" | "gem" | "cpan" | "cpanm" | "brew" | "port"
            | "snap" | "flatpak" | "choco" | "winget" | "scoop" | "nix-env" | "helm" | "apt" | "apt-get" | "aptitude"
            | "yum" | "dnf" | "zypper",
            "install" | "reinstall" | "upgrade" | "in" | "add" | "-i",
        ) if (!from_file || name != "pip" && name != "pip3") && (named || !matches!(name, "pip" | "pip3")) => {
            facts.tag(Tag::PackageInstall, format!("{name} {joined} installs software"));
        }
        ("uv", "pip") if pos.get(1) == Some(&"install") && !from_file => {
            facts.tag(Tag::PackageInstall, format!("uv {joined} installs packages"))
        }
        ("uv" | "poetry" | "pdm" | "cargo" | "composer" | "dotnet", "add" | "require" | "install")
            if named
                && !(name == "poetry" && verb == "install")
                && !(name == "cargo" && verb == "install" && pos.get(1).is_none()) =>
        {
            facts.tag(Tag::PackageInstall, format!("{name} {joined} installs packages"));
        }
        ("go", "install" | "get") if named => facts.tag(Tag::PackageInstall, format!("go {joined} installs a module")),
        ("apk", "add") | ("pacman", _) if named && (name == "apk" || argv.iter().any(|a| a.starts_with("-S"))) => {
            facts.tag(Tag::PackageInstall, format!("{name} {joined} installs software"))
        }
        ("rpm", _) | ("dpkg", _) if argv.iter().any(|a| *a == "-i" || *a == "-U" || *a == "--install") => {
            facts.tag(Tag::PackageInstall, format!("{name} {joined} installs a package file"))
        }
        ("opkg" | "emerge", _) if named => facts.tag(Tag::PackageInstall, format!("{name} {joined} installs software")),
        ("helm", "upgrade" | "rollback") => facts.tag(Tag::Deploy, format!("helm {joined} changes a release")),
        _ => {}
    }
    if name == "helm" && matches!(verb, "install" | "upgrade" | "uninstall" | "delete" | "rollback") {
        facts.tag(Tag::Deploy, format!("helm {joined} changes a cluster release"));
        facts.tag(Tag::InfraChange, format!("helm {verb} changes the cluster"));
    }
}

fn infra(
    ctx: Ctx<'_>,
    name: &str,
    verb: &str,
    pos: &[&str],
    argv: &[&str],
    joined: &str,
    facts: &mut Facts,
) -> Option<Role> {
    let mut role = Role::default();
    let sub = pos.get(1).copied().unwrap_or("");
    let all = |k: &str| argv.contains(&k);
    match name {
        "docker" | "podman" | "nerdctl" | "docker-compose" => {
            let l = joined.to_ascii_lowercase();
            if matches!(verb, "run" | "create" | "exec") || l.contains("privileged") {
                let escape = [
                    "--privileged",
                    "--pid=host",
                    "--pid host",
                    "--ipc=host",
                    "--userns=host",
                    "--uts=host",
                    "sys_admin",
                    "--cap-add=all",
                    "--cap-add all",
                    "sys_ptrace",
                    "sys_module",
                    "docker.sock",
                    "apparmor=unconfined",
                    "seccomp=unconfined",
                    "label=disable",
                    "-v /:",
                    "--volume /:",
                    "--volume=/:",
                    "source=/,",
                    "src=/,",
                    "--device",
                ];
                if let Some(e) = escape.iter().find(|e| l.contains(*e)) {
                    facts.tag(Tag::SandboxEscape, format!("{name} {verb} with {e} reaches the host"));
                }
            }
            if matches!(verb, "push") {
                facts.tag(Tag::Deploy, format!("{name} push publishes an image"));
            }
            if verb == "system" && sub == "prune" && (all("--volumes") || all("-a") || all("--all"))
                || verb == "volume" && matches!(sub, "rm" | "prune")
            {
                facts.tag(Tag::Destructive, format!("{name} {joined} deletes volumes or all images"));
            }
            facts.tags.insert(Tag::Network);
            role.read_only = read_verb(verb);
        }
        "kubectl" | "oc" => {
            if (verb == "exec" || verb == "run")
                && (joined.contains("privileged") || joined.contains("hostPID") || joined.contains("hostPath"))
            {
                facts.tag(Tag::SandboxEscape, format!("{name} {verb} with host access"));
            }
            if verb == "delete"
                && (matches!(sub, "ns" | "namespace" | "namespaces" | "all" | "pv" | "pvc" | "node" | "nodes" | "crd")
                    || all("--all")
                    || all("-A"))
            {
                facts.tag(Tag::Destructive, format!("{name} {joined} deletes cluster resources wholesale"));
            }
            if verb == "config" && (joined.contains("--raw") || joined.contains("view --flatten")) {
                facts.tag(Tag::CredentialAccess, format!("{name} {joined} prints cluster credentials"));
                role.sensitive = true;
            }
            if verb == "get" && sub.starts_with("secret") {
                facts.tag(Tag::CredentialAccess, format!("{name} {joined} reads cluster secrets"));
                role.sensitive = true;
            }
            if matches!(verb, "rollout" | "set") && matches!(sub, "restart" | "undo" | "image") {
                facts.tag(Tag::Deploy, format!("{name} {joined} rolls out a change"));
            }
            if !read_verb(verb)
                && !matches!(
                    verb,
                    "port-forward"
                        | "proxy"
                        | "cp"
                        | "exec"
                        | "attach"
                        | "wait"
                        | "auth"
                        | "api-versions"
                        | "cluster-info"
                        | "completion"
                )
            {
                facts.tag(Tag::InfraChange, format!("{name} {joined} changes the cluster"));
            }
        }
        "gh" | "glab" => match (verb, sub) {
            ("release", "create" | "upload" | "edit") | ("pr", "merge") | ("workflow", "run") => {
                facts.tag(Tag::Deploy, format!("{name} {joined}"))
            }
            ("repo", "delete" | "archive") | ("release", "delete") => {
                facts.tag(Tag::Destructive, format!("{name} {joined} deletes a repository or release"))
            }
            ("auth", "token") => {
                facts.tag(Tag::CredentialAccess, format!("{name} auth token prints a token"));
                role.sensitive = true;
            }
            ("secret" | "variable", "set" | "delete") | ("repo", "edit") => {
                facts.tag(Tag::InfraChange, format!("{name} {joined}"))
            }
            _ => facts.tags.insert(Tag::Network),
        },
        "aws" | "gcloud" | "gsutil" | "az" | "oci" | "doctl" | "linode-cli" | "hcloud" | "ibmcloud" | "aliyun"
        | "scw" | "vultr-cli" => {
            let tail = pos.get(2).copied().unwrap_or(sub);
            let l = joined.to_ascii_lowercase();
            if l.contains("print-access-token")
                || l.contains("print-identity-token")
                || l.contains("export-credentials")
                || l.contains("get-session-token")
                || l.contains("get-secret-value")
                || l.contains("secrets versions access")
                || l.contains("keyvault secret show")
                || l.contains("get-login-password")
            {
                facts.tag(Tag::CredentialAccess, format!("{name} {joined} prints credentials"));
                role.sensitive = true;
            } else if ["delete", "terminate", "destroy", "rb", "remove", "purge"]
                .iter()
                .any(|v| pos.iter().any(|p| p.starts_with(v) || p.contains(&format!("-{v}")) || *p == *v))
                || name == "aws" && sub == "rm" && all("--recursive")
            {
                facts.tag(Tag::Destructive, format!("{name} {joined} deletes cloud resources"));
                facts.tag(Tag::InfraChange, format!("{name} {joined} deletes cloud resources"));
            } else if name == "aws" && verb == "s3" && matches!(sub, "cp" | "sync" | "mv") {
                let dest = pos.last().copied().unwrap_or("");
                if dest.starts_with("s3://") {
                    for s in &pos[2..pos.len().saturating_sub(1)] {
                        if check_path(ctx, &super::State::default(), s, Intent::Read, "aws s3", false, facts) {
                            facts.tag(Tag::Exfiltration, format!("aws s3 uploads {s} to {dest}"));
                        }
                    }
                    facts.tag(Tag::InfraChange, format!("aws {joined} writes to cloud storage"));
                }
            } else if !(read_verb(verb)
                || read_verb(sub)
                || read_verb(tail)
                || pos.iter().any(|p| read_verb(p))
                || verb == "s3" && sub == "ls"
                || verb == "sts"
                || verb == "configure" && sub.starts_with("list"))
            {
                let deploy = pos.contains(&"deploy");
                facts.tag(
                    if deploy { Tag::Deploy } else { Tag::InfraChange },
                    format!("{name} {joined} changes cloud resources"),
                );
                if deploy {
                    facts.tag(Tag::InfraChange, format!("{name} deploy changes cloud resources"));
                }
            }
            facts.tags.insert(Tag::Network);
        }
        _ => {
            let l = joined.to_ascii_lowercase();
            let destroy = matches!(verb, "destroy" | "delete" | "down")
                || l.contains("--destroy")
                || matches!(sub, "rm" | "delete" | "destroy")
                    && matches!(verb, "state" | "stack" | "workspace" | "apps" | "app" | "projects");
            let deploy = matches!(verb, "deploy" | "publish" | "up" | "release" | "promote" | "sync" | "run")
                || l.contains("--prod")
                || (name == "vercel" && pos.is_empty());
            let change = matches!(
                verb,
                "apply"
                    | "import"
                    | "taint"
                    | "untaint"
                    | "force-unlock"
                    | "refresh"
                    | "create"
                    | "update"
                    | "scale"
                    | "provision"
                    | "playbook"
                    | "set"
                    | "put"
                    | "write"
                    | "secrets"
            ) || name.starts_with("ansible")
                || matches!(verb, "state") && matches!(sub, "rm" | "mv" | "push");
            if destroy {
                facts.tag(Tag::Destructive, format!("{name} {joined} destroys infrastructure"));
                facts.tag(Tag::InfraChange, format!("{name} {verb} destroys infrastructure"));
            } else if deploy && !matches!(name, "terraform" | "tofu" | "terragrunt" | "vault" | "consul" | "nomad") {
                facts.tag(Tag::Deploy, format!("{name} {joined} deploys"));
                if matches!(name, "cdk" | "sam" | "serverless" | "sls" | "pulumi" | "cdktf") {
                    facts.tag(Tag::InfraChange, format!("{name} {verb} changes cloud infrastructure"));
                }
            } else if change || deploy {
                facts.tag(Tag::InfraChange, format!("{name} {joined} changes infrastructure"));
            } else if name == "vault" && matches!(verb, "read" | "kv") {
                facts.tag(Tag::CredentialAccess, format!("vault {joined} reads secrets"));
                role.sensitive = true;
            }
            facts.tags.insert(Tag::Network);
        }
    }
    Some(role)
}
