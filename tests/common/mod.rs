//! `TestEnv`: runs the real `decl` binary in a temporary folder with a cleared environment, a
//! fixed clock and no user git configuration, so commit ids and output are stable.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct TestEnv {
    dir: tempfile::TempDir,
    timestamp: String,
}

/// What a command printed and how it ended.
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Output {
    /// stdout, stderr and the exit code in one text, for snapshots.
    pub fn normalized(&self, env: &TestEnv) -> String {
        let root = env.root().display().to_string();
        let mut text = self.stdout.replace(&root, "$TEST_ENV");
        if !self.stderr.is_empty() {
            text.push_str("[stderr]\n");
            text.push_str(&self.stderr.replace(&root, "$TEST_ENV"));
        }
        if self.code != 0 {
            text.push_str(&format!("[exit {}]\n", self.code));
        }
        text
    }

    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(
            self.code, 0,
            "command failed:\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn failure(self) -> Self {
        assert_eq!(
            self.code, 1,
            "expected exit 1:\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Everything a failed command must leave as it was: the status, the log, the tags, the index
/// and every file's bytes.
#[derive(Debug, PartialEq, Eq)]
pub struct RepoState {
    status: String,
    log: String,
    tags: String,
    files: BTreeMap<String, Vec<u8>>,
}

pub fn draft_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("drafts/dushanbe-2022")
}

impl TestEnv {
    pub fn new() -> Self {
        TestEnv {
            dir: tempfile::Builder::new()
                .prefix("decl-test")
                .tempdir()
                .expect("temp dir"),
            timestamp: "2022-09-01T10:00:00+05:00".into(),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Sets the time the next actions are recorded at.
    pub fn at(&mut self, timestamp: &str) {
        self.timestamp = timestamp.into();
    }

    fn command(&self, program: &str, cwd: &Path) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(cwd)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.root())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("DECL_TIMESTAMP", &self.timestamp)
            .env("NO_COLOR", "1");
        command
    }

    /// Runs decl in `cwd` (relative to the env's root).
    pub fn decl(&self, cwd: &str, args: &[&str]) -> Output {
        self.decl_with_env(cwd, args, &[])
    }

    pub fn decl_with_env(&self, cwd: &str, args: &[&str], vars: &[(&str, &str)]) -> Output {
        let mut command = self.command(env!("CARGO_BIN_EXE_decl"), &self.root().join(cwd));
        command.args(args);
        for (key, value) in vars {
            command.env(key, value);
        }
        run(command)
    }

    /// Runs the benchmark generator (`examples/generate.rs`, which `cargo test` builds beside
    /// the binary) with this env's environment, in the env's root.
    pub fn generate(&self, args: &[&str]) -> Output {
        let decl = Path::new(env!("CARGO_BIN_EXE_decl"));
        let generator = decl
            .parent()
            .expect("the binary's folder")
            .join("examples")
            .join(format!("generate{}", std::env::consts::EXE_SUFFIX));
        assert!(
            generator.exists(),
            "{} is missing: `cargo test` builds the examples",
            generator.display()
        );
        let mut command = self.command(generator.to_str().unwrap(), self.root());
        command.args(args);
        run(command)
    }

    /// The `decl` command with this env's environment, not yet run (for a server).
    pub fn decl_command(&self, cwd: &str, args: &[&str]) -> Command {
        let mut command = self.command(env!("CARGO_BIN_EXE_decl"), &self.root().join(cwd));
        command.args(args);
        command
    }

    pub fn git(&self, cwd: &str, args: &[&str]) -> Output {
        self.git_with_env(cwd, args, &[])
    }

    /// Runs git with `vars` set last, so they may override the fixed author and dates.
    pub fn git_with_env(&self, cwd: &str, args: &[&str], vars: &[(&str, &str)]) -> Output {
        let mut command = self.command("git", &self.root().join(cwd));
        command
            .args(args)
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.org")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.org")
            .env("GIT_AUTHOR_DATE", &self.timestamp)
            .env("GIT_COMMITTER_DATE", &self.timestamp);
        for (key, value) in vars {
            command.env(key, value);
        }
        run(command)
    }

    /// A repository replayed from the bundled Dushanbe draft, in `name`.
    pub fn dushanbe(&self, name: &str) {
        self.decl("", &["init", "--from", draft_dir().to_str().unwrap(), name])
            .success();
    }

    /// A small repository made from `decl init` plus a few clauses and delegations, committed.
    pub fn small(&self, name: &str) {
        self.decl("", &["init", name]).success();
        let dir = self.root().join(name);
        std::fs::write(dir.join("delegations.yaml"), SMALL_DELEGATIONS).unwrap();
        std::fs::write(dir.join("declaration.yaml"), SMALL_DECLARATION).unwrap();
        std::fs::remove_file(dir.join("clauses/pp-first.yaml")).unwrap();
        std::fs::remove_file(dir.join("clauses/op-first.yaml")).unwrap();
        for (id, body) in SMALL_CLAUSES {
            std::fs::write(dir.join(format!("clauses/{id}.yaml")), body).unwrap();
        }
        self.git(name, &["add", "-A"]).success();
        self.git(name, &["commit", "-qm", "Secretariat loads the test draft"])
            .success();
    }

    /// A passphrase-less ed25519 key pair made from a fixed seed (so signatures, and commit
    /// ids, are the same on every run), written to `keys/<name>`; returns the public key line.
    pub fn key(&self, name: &str, seed: u8) -> String {
        use ssh_key::{LineEnding, PrivateKey, private::Ed25519Keypair};
        let mut key = PrivateKey::from(Ed25519Keypair::from_seed(&[seed; 32]));
        key.set_comment(name);
        let pem = key.to_openssh(LineEnding::LF).unwrap();
        self.write(&format!("keys/{name}"), &pem);
        let public = key.public_key().to_openssh().unwrap();
        self.write(&format!("keys/{name}.pub"), &format!("{public}\n"));
        public
    }

    /// The path of a key written by [`TestEnv::key`].
    pub fn key_path(&self, name: &str) -> String {
        self.root().join("keys").join(name).display().to_string()
    }

    /// A committee's repository: `decl init`, then the secretariat's commit of the small draft
    /// with signing keys for TUR, QAT, TJK (chair) and UNOCT (secretariat), keys in `keys/`.
    pub fn committee(&self, name: &str) {
        self.decl("", &["init", name]).success();
        let mut delegations = String::new();
        for line in SMALL_DELEGATIONS.lines() {
            delegations.push_str(line);
            delegations.push('\n');
            let seed = match line.strip_prefix("  - code: ") {
                Some("TUR") => 1,
                Some("QAT") => 2,
                Some("TJK") => 3,
                Some("UNOCT") => 4,
                _ => continue,
            };
            let code = &line["  - code: ".len()..];
            let public = self.key(&code.to_lowercase(), seed);
            delegations.push_str(&format!("    keys: [\"{public}\"]\n"));
        }
        let dir = self.root().join(name);
        std::fs::write(dir.join("delegations.yaml"), delegations).unwrap();
        std::fs::write(dir.join("declaration.yaml"), SMALL_DECLARATION).unwrap();
        std::fs::remove_file(dir.join("clauses/pp-first.yaml")).unwrap();
        std::fs::remove_file(dir.join("clauses/op-first.yaml")).unwrap();
        for (id, body) in SMALL_CLAUSES {
            std::fs::write(dir.join(format!("clauses/{id}.yaml")), body).unwrap();
        }
        self.git(name, &["add", "-A"]).success();
        self.git(
            name,
            &[
                "commit",
                "-qm",
                "SEC loads the committee's draft and keys",
                "--author",
                "Secretariat <sec@delegation.invalid>",
            ],
        )
        .success();
    }

    /// Runs decl as `code`, signing with that delegation's key from `keys/`.
    pub fn decl_signed(&self, cwd: &str, code: &str, args: &[&str]) -> Output {
        let key = self.key_path(&code.to_lowercase());
        let mut all = vec!["--as", code, "--key", key.as_str()];
        all.extend_from_slice(args);
        self.decl(cwd, &all)
    }

    pub fn write(&self, path: &str, content: &str) {
        let full = self.root().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, content).unwrap();
    }

    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.root().join(path)).unwrap()
    }

    pub fn state(&self, name: &str) -> RepoState {
        let dir = self.root().join(name);
        let mut files = BTreeMap::new();
        collect_files(&dir, &dir, &mut files);
        RepoState {
            status: self
                .git(name, &["status", "--porcelain", "--untracked-files=all"])
                .stdout,
            log: self
                .git(name, &["log", "--all", "--format=%H %an %s"])
                .stdout,
            tags: self.git(name, &["tag", "-l"]).stdout,
            files,
        }
    }
}

fn collect_files(root: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let relative = path.strip_prefix(root).unwrap().display().to_string();
        // The lock file is decl's own and may be created by a refused command; the parse
        // cache is filled by any read, and holds nothing the repository does not.
        if relative == ".git/decl.lock" || relative.starts_with(".git/decl/cache") {
            continue;
        }
        if path.is_dir() {
            collect_files(root, &path, files);
        } else {
            files.insert(relative, std::fs::read(&path).unwrap());
        }
    }
}

fn run(mut command: Command) -> Output {
    let output = command.output().expect("the command runs");
    Output {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    }
}

pub const SMALL_DELEGATIONS: &str = "\
delegations:
  - code: TJK
    name: Republic of Tajikistan
    role: chair
  - code: UNOCT
    name: United Nations Office of Counter-Terrorism
    role: secretariat
  - code: TUR
    name: Republic of Türkiye
    role: member
  - code: QAT
    name: State of Qatar
    role: member
  - code: RUS
    name: Russian Federation
    role: member
  - code: KAZ
    name: Republic of Kazakhstan
    role: member
  - code: UNRCCA
    name: UN Regional Centre for Preventive Diplomacy for Central Asia
    role: observer
";

pub const SMALL_DECLARATION: &str = "\
title: Test Declaration on Border Cooperation
short_title: Test Declaration
symbol: TEST/2022/1
conference: Test Conference
place: Dushanbe
dates:
  from: 2022-10-18
  to: 2022-10-19
languages: [en]
chapeau: We, the Ministers, gathered in Dushanbe,
preamble:
  - pp-charter
operative:
  - op-borders
  - op-data
  - op-follow-up
";

pub const SMALL_CLAUSES: &[(&str, &str)] = &[
    (
        "pp-charter",
        "kind: preambular\nstatus: agreed\ntext: \"*Recalling* the Charter of the United Nations,\"\n",
    ),
    (
        "op-borders",
        "kind: operative\nstatus: draft\ntext: \"*Call upon* all States to strengthen border controls and shall cooperate closely;\"\n",
    ),
    (
        "op-data",
        "kind: operative\nstatus: bracketed\ntext: \"*Encourage* the exchange of advance passenger information [and passenger name record data]:\"\nsubparagraphs:\n  - with full respect for human rights;\n  - in accordance with national law;\n",
    ),
    (
        "op-follow-up",
        "kind: operative\nstatus: draft\ntext: \"*Decide* to meet again in 2024.\"\n",
    ),
];

/// Whether an external tool is on PATH. On CI (`CI` set) a missing tool is a failure, since
/// `.ci/run` installs it; on a developer's machine the test that needs it says so and skips.
pub fn tool_available(name: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {name}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{name} is missing on CI: .ci/run must install it"
        );
        eprintln!("skipping: {name} is not installed");
    }
    found
}

/// Whether node, Chromium and the npm packages are there; on CI a missing one is a failure.
pub fn browser_available() -> bool {
    if !tool_available("node") || !tool_available("chromium") {
        return false;
    }
    let modules = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/node_modules/axe-core");
    if !modules.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "tests/browser/node_modules is missing on CI: .ci/run must run npm ci"
        );
        eprintln!("skipping: run `npm ci --prefix tests/browser` first");
        return false;
    }
    true
}
