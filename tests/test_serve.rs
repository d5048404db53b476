//! `decl serve` over HTTP: a server on a loopback port on a temporary repository, every page,
//! every action through the browser's forms, and every refusal leaving the repository as it
//! was.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

use crate::common::TestEnv;

/// A running server, stopped when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
}

impl Server {
    pub fn start(env: &TestEnv, repo: &str, extra: &[&str]) -> Server {
        let mut args = vec!["serve", "--bind", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let mut child = env
            .decl_command(repo, &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("decl serve starts");
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let addr = first
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_owned();
        Server { child, addr }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response: status, headers (lower-case names) and body.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A browser, reduced: one cookie, forms sent urlencoded.
#[derive(Default)]
pub struct Client {
    pub addr: String,
    pub cookie: Option<String>,
}

impl Client {
    pub fn new(server: &Server) -> Client {
        Client {
            addr: server.addr.clone(),
            cookie: None,
        }
    }

    pub fn get(&mut self, path: &str) -> Response {
        self.request("GET", path, None, &[])
    }

    pub fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Response {
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.request("POST", path, Some(body), &[])
    }

    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        body: Option<String>,
        extra: &[(&str, &str)],
    ) -> Response {
        let mut stream = TcpStream::connect(&self.addr).expect("connects");
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        if let Some(cookie) = &self.cookie {
            request.push_str(&format!("Cookie: {cookie}\r\n"));
        }
        for (name, value) in extra {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        let body = body.unwrap_or_default();
        if method == "POST" {
            request.push_str("Content-Type: application/x-www-form-urlencoded\r\n");
            request.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        request.push_str("\r\n");
        request.push_str(&body);
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a complete response");
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut body = raw[split + 4..].to_vec();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_owned()))
            .collect();
        if headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v == "chunked")
        {
            body = dechunk(&body);
        }
        if let Some((_, cookie)) = headers.iter().find(|(n, _)| n == "set-cookie") {
            let pair = cookie.split(';').next().unwrap().to_owned();
            self.cookie = (!pair.ends_with('=')).then_some(pair);
        }
        Response {
            status,
            headers,
            body,
        }
    }

    /// Follows a sign-in link and confirms: the link alone only asks.
    pub fn sign_in(&mut self, link: &str) {
        let path = &link[link.find("/signin").unwrap()..];
        let asked = self.get(path);
        assert_eq!(asked.status, 200, "{}", asked.text());
        assert!(
            self.cookie.is_none(),
            "a sign-in link alone signs nobody in"
        );
        let token = &link[link.find("token=").unwrap() + 6..];
        let response = self.post("/signin", &[("token", token)]);
        assert_eq!(response.status, 303, "{}", response.text());
        assert!(self.cookie.is_some());
    }

    /// The CSRF token of the signed-in session, read from a page's form.
    pub fn csrf(&mut self) -> String {
        let page = self.get("/propose").text();
        let at = page
            .find("name=\"csrf\" value=\"")
            .expect("a form with a token")
            + 19;
        page[at..at + 64].to_owned()
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size =
            usize::from_str_radix(std::str::from_utf8(&data[..line_end]).unwrap().trim(), 16)
                .unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[line_end + 2..line_end + 2 + size]);
        data = &data[line_end + 2 + size + 2..];
    }
}

pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Issues a token through the CLI and returns the sign-in link.
pub fn issue(env: &TestEnv, repo: &str, code: &str, extra: &[&str]) -> String {
    let mut args = vec!["token", "issue", "--for", code];
    args.extend_from_slice(extra);
    let output = env.decl(repo, &args).success();
    output.stdout.lines().next().unwrap().to_owned()
}

/// A sign-in link for `code`, pointing at `server` (the CLI prints it for the configured
/// address, which in a test is not the server's port).
pub fn sign_in_url(env: &TestEnv, repo: &str, server: &Server, code: &str) -> String {
    let link = issue(env, repo, code, &[]);
    format!(
        "http://{}{}",
        server.addr,
        &link[link.find("/signin").unwrap()..]
    )
}

fn log(env: &TestEnv) -> String {
    env.git("repo", &["log", "--format=%an|%s"]).stdout
}

#[test]
fn every_page_reads_and_a_negotiation_runs_through_the_forms() {
    let env = TestEnv::new();
    env.small("repo");
    env.decl(
        "repo",
        &[
            "revision", "cut", "rev1", "--label", "Rev.1", "--as", "UNOCT",
        ],
    )
    .success();
    let tur_link = issue(&env, "repo", "TUR", &["--expires", "30d"]);
    let qat_link = issue(&env, "repo", "QAT", &[]);
    let chair_link = issue(&env, "repo", "TJK", &[]);
    let server = Server::start(&env, "repo", &[]);
    let mut anonymous = Client::new(&server);
    for page in [
        "/",
        "/compilation",
        "/clause/op-borders",
        "/compare",
        "/amendments",
        "/propose",
        "/revisions",
        "/exports",
        "/signin",
        "/rev/rev1",
        "/static/serve.css",
        "/static/reload.js",
    ] {
        let response = anonymous.get(page);
        assert_eq!(response.status, 200, "{page}: {}", response.text());
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
        assert!(
            response
                .header("content-security-policy")
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
    }
    let text = anonymous.get("/").text();
    assert!(text.contains("<html lang=\"en\""), "{text}");
    assert!(text.contains("OP 1"), "{text}");
    let missing = anonymous.get("/clause/op-border");
    assert_eq!(missing.status, 404);
    assert!(
        missing.text().contains("did you mean op-borders?"),
        "{}",
        missing.text()
    );
    assert_eq!(anonymous.get("/rev/rev9").status, 404);
    assert_eq!(anonymous.get("/../../etc/passwd").status, 404);
    assert_eq!(anonymous.get("/export/..%2F..%2Fetc%2Fpasswd").status, 404);

    // TUR previews, then proposes.
    let mut tur = Client::new(&server);
    tur.sign_in(&tur_link);
    assert!(
        tur.get("/")
            .text()
            .contains("Signed in as <strong>Republic of Türkiye</strong>")
    );
    let csrf = tur.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("operation", "replace"),
        ("clause", "op-borders"),
        ("span", "shall cooperate"),
        ("text", "should cooperate"),
        ("justification", "Softer, as elsewhere."),
    ];
    let before = log(&env);
    let mut preview_form = form.to_vec();
    preview_form.push(("intent", "preview"));
    let preview = tur.post("/propose", &preview_form);
    assert_eq!(preview.status, 200, "{}", preview.text());
    assert!(
        preview.text().contains("<del><span class=\"sr-only\">[deleted: </span>shall<span class=\"sr-only\">]</span></del>"),
        "{}",
        preview.text()
    );
    // Set apart from the struck word, so that it does not read "shallshould".
    assert!(preview.text().contains("<ins class=\"apart\"><span class=\"sr-only\">[inserted: </span>should<span class=\"sr-only\">]</span></ins>"));
    assert_eq!(log(&env), before, "a preview commits nothing");
    let mut submit_form = form.to_vec();
    submit_form.push(("intent", "submit"));
    let submitted = tur.post("/propose", &submit_form);
    assert_eq!(submitted.status, 303, "{}", submitted.text());
    assert_eq!(submitted.header("location"), Some("/amendments/TUR-1"));
    let page = tur.get("/amendments/TUR-1").text();
    assert!(page.contains("TUR proposes TUR-1"), "{page}");
    assert!(
        log(&env).starts_with("Republic of Türkiye|TUR proposes TUR-1"),
        "{}",
        log(&env)
    );

    // QAT supports it.
    let mut qat = Client::new(&server);
    qat.sign_in(&qat_link);
    let csrf = qat.csrf();
    let supported = qat.post("/amendments/TUR-1/support", &[("csrf", &csrf)]);
    assert_eq!(supported.status, 303, "{}", supported.text());
    assert!(log(&env).starts_with("State of Qatar|QAT supports TUR-1"));

    // A member may not decide: refused on the page, nothing committed.
    let before = env.state("repo");
    let refused = qat.post("/amendments/TUR-1/accept", &[("csrf", &csrf)]);
    assert_eq!(refused.status, 403);
    assert!(
        refused.text().contains("only the chair or the secretariat"),
        "{}",
        refused.text()
    );
    assert_eq!(env.state("repo"), before);

    // The chair accepts and cuts a revision.
    let mut chair = Client::new(&server);
    chair.sign_in(&chair_link);
    let csrf = chair.csrf();
    assert_eq!(
        chair
            .post("/amendments/TUR-1/accept", &[("csrf", &csrf)])
            .status,
        303
    );
    let cut = chair.post(
        "/revisions",
        &[("csrf", &csrf), ("name", "rev2"), ("label", "Rev.2")],
    );
    assert_eq!(cut.status, 303, "{}", cut.text());
    assert!(
        log(&env).starts_with("Republic of Tajikistan|TJK cuts Rev.2 (rev2): 1 amendment applied")
    );
    let compare = anonymous.get("/compare?from=rev1&to=rev2").text();
    assert!(compare.contains("<ins class=\"apart\" title=\"inserted by Republic of Türkiye (TUR-1)\"><span class=\"sr-only\">[inserted by Republic of Türkiye (TUR-1): </span>should<span class=\"sr-only\">]</span></ins>"), "{compare}");
    assert!(compare.contains("Türkiye"), "{compare}");

    // The downloads.
    for (path, kind) in [
        ("/export/declaration.html", "text/html"),
        ("/export/declaration.docx", "application/vnd.openxmlformats"),
        ("/export/declaration.akn.xml", "application/xml"),
        (
            "/export/redline.docx?from=rev1&to=rev2",
            "application/vnd.openxmlformats",
        ),
    ] {
        let response = anonymous.get(path);
        assert_eq!(response.status, 200, "{path}");
        assert!(
            response.header("content-type").unwrap().starts_with(kind),
            "{path}"
        );
        assert!(
            response
                .header("content-disposition")
                .unwrap()
                .starts_with("attachment")
        );
    }
    let docx = anonymous.get("/export/redline.docx?from=rev1&to=rev2").body;
    assert!(docx.starts_with(b"PK"));
}

#[test]
fn refusals_change_nothing() {
    let env = TestEnv::new();
    env.small("repo");
    let tur_link = issue(&env, "repo", "TUR", &[]);
    let observer_link = issue(&env, "repo", "UNRCCA", &[]);
    let server = Server::start(&env, "repo", &[]);
    let mut tur = Client::new(&server);
    tur.sign_in(&tur_link);
    let csrf = tur.csrf();
    let before = env.state("repo");

    // No session: no action.
    let mut anonymous = Client::new(&server);
    let response = anonymous.post(
        "/propose",
        &[
            ("csrf", &csrf),
            ("operation", "delete"),
            ("clause", "op-data"),
        ],
    );
    assert_eq!(response.status, 401, "{}", response.text());
    // A bad CSRF token.
    let response = tur.post(
        "/propose",
        &[
            ("csrf", "0000"),
            ("operation", "delete"),
            ("clause", "op-data"),
        ],
    );
    assert_eq!(response.status, 403);
    assert!(response.text().contains("CSRF"));
    // A form posted from another site.
    let response = tur.request(
        "POST",
        "/propose",
        Some(format!("csrf={csrf}&operation=delete&clause=op-data")),
        &[
            ("Origin", "http://evil.example"),
            ("Sec-Fetch-Site", "cross-site"),
        ],
    );
    assert_eq!(response.status, 403);
    // Bad input: an unknown clause, a span that does not occur, no wording, nonsense.
    for (form, expected) in [
        (
            vec![
                ("operation", "replace"),
                ("clause", "op-nope"),
                ("text", "x"),
            ],
            "unknown clause op-nope",
        ),
        (
            vec![
                ("operation", "replace"),
                ("clause", "op-borders"),
                ("span", "nowhere"),
                ("text", "x"),
            ],
            "does not occur",
        ),
        (
            vec![
                ("operation", "replace"),
                ("clause", "op-borders"),
                ("text", ""),
            ],
            "needs the new wording",
        ),
        (vec![("operation", "explode")], "unknown operation"),
        (
            vec![("operation", "replace"), ("clause", "../../etc")],
            "paragraph:",
        ),
    ] {
        let mut form = form;
        form.push(("csrf", &csrf));
        form.push(("intent", "submit"));
        let response = tur.post("/propose", &form);
        assert!(
            (400..500).contains(&response.status),
            "{form:?}: {}",
            response.status
        );
        assert!(
            response.text().contains(expected),
            "{form:?}: {}",
            response.text()
        );
        // The form comes back filled in.
        assert!(response.text().contains("Propose the amendment"));
    }
    // Hostile text is escaped, on the preview and once proposed.
    let hostile = "<script>alert(1)</script> & \"quoted\"";
    let response = tur.post(
        "/propose",
        &[
            ("csrf", &csrf),
            ("operation", "replace"),
            ("clause", "op-borders"),
            ("text", hostile),
            ("intent", "preview"),
        ],
    );
    assert_eq!(response.status, 200);
    assert!(
        !response.text().contains("<script>alert"),
        "{}",
        response.text()
    );
    assert!(response.text().contains("&lt;script&gt;"));
    // A member withdrawing someone else's amendment, an observer proposing.
    assert_eq!(env.state("repo"), before);
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "QAT",
            "--delete",
            "op-follow-up",
        ],
    )
    .success();
    let before = env.state("repo");
    let response = tur.post("/amendments/QAT-1/withdraw", &[("csrf", &csrf)]);
    assert!((400..500).contains(&response.status), "{}", response.text());
    assert!(response.text().contains("Nothing was changed"));
    let response = tur.post("/amendments/QAT-9/support", &[("csrf", &csrf)]);
    assert_eq!(response.status, 404);
    let mut observer = Client::new(&server);
    observer.sign_in(&observer_link);
    let observer_csrf = observer.csrf();
    let response = observer.post(
        "/propose",
        &[
            ("csrf", &observer_csrf),
            ("operation", "delete"),
            ("clause", "op-data"),
            ("intent", "submit"),
        ],
    );
    assert_eq!(response.status, 403, "{}", response.text());
    assert_eq!(env.state("repo"), before);

    let before_log = log(&env);
    // A revoked token ends its sessions; an expired or unknown one signs nobody in.
    env.decl("repo", &["token", "revoke", "t1"]).success();
    let response = tur.post("/amendments/QAT-1/support", &[("csrf", &csrf)]);
    assert_eq!(response.status, 401);
    let mut again = Client::new(&server);
    let response = again.get(&tur_link[tur_link.find("/signin").unwrap()..]);
    assert_eq!(response.status, 401);
    assert!(again.cookie.is_none());
    // A token that lived a minute, a month before the server's clock.
    let expired = env
        .decl_with_env(
            "repo",
            &["token", "issue", "--for", "QAT", "--expires", "1m"],
            &[("DECL_TIMESTAMP", "2022-08-01T10:00:00+05:00")],
        )
        .success()
        .stdout
        .lines()
        .next()
        .unwrap()
        .to_owned();
    let response = again.get(&expired[expired.find("/signin").unwrap()..]);
    assert_eq!(response.status, 401);
    // Issuing and revoking tokens changes only .git/decl/tokens.yaml, never the history.
    assert_eq!(log(&env), before_log);
    let listed = env.decl("repo", &["token", "list"]).success().stdout;
    assert!(
        listed.contains("revoked") && listed.contains("expired"),
        "{listed}"
    );
    assert!(
        !env.read("repo/.git/decl/tokens.yaml")
            .contains(&tur_link[tur_link.find("token=").unwrap() + 6..])
    );
}

/// A delegation with its own signing keys reads through the server but acts from the command
/// line: the server would sign with a key that is not the delegation's, and `decl verify`
/// would flag the commit. Signing out still works.
#[test]
fn a_delegation_that_signs_its_own_commits_acts_elsewhere() {
    let env = TestEnv::new();
    env.committee("repo");
    let server = Server::start(&env, "repo", &[]);
    let mut tur = Client::new(&server);
    tur.sign_in(&issue(&env, "repo", "TUR", &[]));
    let page = tur.get("/").text();
    assert!(
        page.contains("TUR signs its actions with its own key"),
        "{page}"
    );
    let before = env.state("repo");
    let csrf = tur.csrf();
    let refused = tur.post(
        "/propose",
        &[
            ("csrf", &csrf),
            ("operation", "replace"),
            ("clause", "op-borders"),
            ("text", "Something else;"),
            ("intent", "submit"),
        ],
    );
    assert_eq!(refused.status, 403, "{}", refused.text());
    assert!(
        refused.text().contains("act from the command line"),
        "{}",
        refused.text()
    );
    assert_eq!(env.state("repo"), before, "nothing was done");
    let out = tur.post("/signout", &[("csrf", &csrf)]);
    assert_eq!(out.status, 303);
    // A delegation without keys in the same committee acts as usual.
    let mut kaz = Client::new(&server);
    kaz.sign_in(&issue(&env, "repo", "KAZ", &[]));
    let csrf = kaz.csrf();
    let proposed = kaz.post(
        "/propose",
        &[
            ("csrf", &csrf),
            ("operation", "replace"),
            ("clause", "op-borders"),
            ("text", "Something else;"),
            ("intent", "submit"),
        ],
    );
    assert_eq!(proposed.status, 303, "{}", proposed.text());
}

#[test]
fn signed_in_reading_and_concurrent_proposals() {
    let env = TestEnv::new();
    env.small("repo");
    let links: Vec<String> = ["TUR", "QAT", "RUS", "KAZ"]
        .iter()
        .map(|code| issue(&env, "repo", code, &[]))
        .collect();
    let server = Server::start(&env, "repo", &["--read-access", "signed-in"]);
    let mut anonymous = Client::new(&server);
    let response = anonymous.get("/compilation");
    assert_eq!(response.status, 303);
    assert_eq!(response.header("location"), Some("/signin"));
    // Four delegations propose at once, five times each: every proposal is committed.
    let handles: Vec<_> = links
        .into_iter()
        .map(|link| {
            let mut client = Client {
                addr: server.addr.clone(),
                cookie: None,
            };
            std::thread::spawn(move || {
                client.sign_in(&link);
                let csrf = client.csrf();
                for n in 0..5 {
                    let text = format!("*Decide* to meet again in {}.", 2030 + n);
                    let response = client.post(
                        "/propose",
                        &[
                            ("csrf", &csrf),
                            ("operation", "replace"),
                            ("clause", "op-follow-up"),
                            ("text", &text),
                            ("intent", "submit"),
                        ],
                    );
                    assert_eq!(response.status, 303, "{}", response.text());
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let amendments: usize = std::fs::read_dir(env.root().join("repo/amendments"))
        .unwrap()
        .map(|folder| std::fs::read_dir(folder.unwrap().path()).unwrap().count())
        .sum();
    assert_eq!(amendments, 20);
    assert_eq!(env.git("repo", &["status", "--porcelain"]).stdout, "");
}

/// The chair's own work from the web (issue 18): marking clauses from the current text and
/// from a clause's page, and cutting a revision. Only the chair and the secretariat see the
/// forms; the server refuses anyone else; every refusal shows why, with a hint where decl has
/// one, and changes nothing; what delegations wrote stays text.
#[test]
fn issue_18_the_chair_marks_clauses_and_cuts_a_revision_from_the_web() {
    let env = TestEnv::new();
    env.small("repo");
    // Hostile wording in a clause, shown in the chair's list of paragraphs.
    env.write(
        "repo/clauses/op-follow-up.yaml",
        "kind: operative\nstatus: draft\ntext: \"*Decide* to <img src=x onerror=alert(1)> meet & \\\"agree\\\" again in 2024.\"\n",
    );
    env.git("repo", &["commit", "-qam", "Secretariat edits OP 3"])
        .success();
    let tur_link = issue(&env, "repo", "TUR", &[]);
    let chair_link = issue(&env, "repo", "TJK", &[]);
    let secretariat_link = issue(&env, "repo", "UNOCT", &[]);
    let server = Server::start(&env, "repo", &[]);

    // The forms are the chair's and the secretariat's alone.
    let mut anonymous = Client::new(&server);
    let mut tur = Client::new(&server);
    tur.sign_in(&tur_link);
    for client in [&mut anonymous, &mut tur] {
        assert!(!client.get("/").text().contains("action=\"/mark\""));
        assert!(
            !client
                .get("/clause/op-borders")
                .text()
                .contains("/clause/op-borders/mark")
        );
        assert!(!client.get("/revisions").text().contains("Cut a revision"));
    }
    let mut chair = Client::new(&server);
    chair.sign_in(&chair_link);
    let text = chair.get("/").text();
    assert!(text.contains("action=\"/mark\""), "{text}");
    assert!(
        text.contains("name=\"clause\" value=\"op-data\"> OP 2 <span class=\"status\">bracketed</span> Encourage the exchange"),
        "{text}"
    );
    assert!(!text.contains("<img src=x"), "{text}");
    assert!(
        text.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{text}"
    );
    let clause_page = chair.get("/clause/op-borders").text();
    assert!(
        clause_page.contains("action=\"/clause/op-borders/mark\""),
        "{clause_page}"
    );
    assert!(
        clause_page.contains("value=\"draft\" checked> Draft"),
        "the clause's own status is chosen: {clause_page}"
    );

    // Anyone else posting the form is refused by the server, and nothing changes.
    let before = env.state("repo");
    let tur_csrf = tur.csrf();
    let refused = tur.post(
        "/mark",
        &[
            ("csrf", &tur_csrf),
            ("clause", "op-borders"),
            ("status", "agreed"),
        ],
    );
    assert_eq!(refused.status, 403, "{}", refused.text());
    assert!(
        refused.text().contains("only the chair or the secretariat"),
        "{}",
        refused.text()
    );
    let refused = tur.post(
        "/clause/op-borders/mark",
        &[("csrf", &tur_csrf), ("status", "agreed")],
    );
    assert_eq!(refused.status, 403, "{}", refused.text());
    let refused = tur.post("/revisions", &[("csrf", &tur_csrf), ("name", "rev1")]);
    assert_eq!(refused.status, 403, "{}", refused.text());
    let refused = anonymous.post(
        "/mark",
        &[
            ("csrf", &tur_csrf),
            ("clause", "op-borders"),
            ("status", "agreed"),
        ],
    );
    assert_eq!(refused.status, 401, "{}", refused.text());
    let refused = chair.post(
        "/mark",
        &[
            ("csrf", &tur_csrf),
            ("clause", "op-borders"),
            ("status", "agreed"),
        ],
    );
    assert_eq!(
        refused.status,
        403,
        "another session's token: {}",
        refused.text()
    );
    assert!(refused.text().contains("CSRF"));
    assert_eq!(env.state("repo"), before);

    // The chair's mistakes come back on the page the form was on, the form as it was sent.
    let csrf = chair.csrf();
    for (path, form, status, expected) in [
        (
            "/mark",
            vec![("status", "agreed")],
            422,
            "tick at least one paragraph",
        ),
        (
            "/mark",
            vec![("clause", "op-borders")],
            422,
            "choose a status",
        ),
        (
            "/mark",
            vec![("clause", "op-borders"), ("status", "finished")],
            422,
            "unknown clause status",
        ),
        (
            "/mark",
            vec![("clause", "op-border"), ("status", "agreed")],
            404,
            "unknown clause op-border",
        ),
        (
            "/mark",
            vec![("clause", "../etc"), ("status", "agreed")],
            422,
            "paragraph:",
        ),
        // Square brackets are left in OP 2: neither agreed nor agreed ad referendum.
        (
            "/mark",
            vec![
                ("clause", "op-borders"),
                ("clause", "op-data"),
                ("status", "agreed"),
            ],
            422,
            "still holds 1 bracketed span",
        ),
        (
            "/clause/op-data/mark",
            vec![("status", "agreed-ad-ref")],
            422,
            "still holds 1 bracketed span",
        ),
    ] {
        let mut form = form;
        form.push(("csrf", &csrf));
        let response = chair.post(path, &form);
        let page = response.text();
        assert_eq!(response.status, status, "{path} {form:?}: {page}");
        assert!(page.contains(expected), "{path} {form:?}: {page}");
        assert!(
            page.contains("Nothing was changed"),
            "{path} {form:?}: {page}"
        );
        if path == "/mark" && form.contains(&("clause", "op-data")) {
            assert!(page.contains("value=\"op-data\" checked>"), "{page}");
            assert!(page.contains("value=\"op-borders\" checked>"), "{page}");
            assert!(page.contains("value=\"agreed\" checked>"), "{page}");
        }
        if path.starts_with("/clause/") {
            assert!(page.contains("value=\"agreed-ad-ref\" checked>"), "{page}");
        }
    }
    assert_eq!(env.state("repo"), before);

    // Marked: several from the current text, one from its page.
    let marked = chair.post(
        "/mark",
        &[
            ("csrf", &csrf),
            ("clause", "op-borders"),
            ("clause", "op-follow-up"),
            ("status", "agreed-ad-ref"),
        ],
    );
    assert_eq!(marked.status, 303, "{}", marked.text());
    assert_eq!(marked.header("location"), Some("/"));
    assert!(
        log(&env).starts_with("Republic of Tajikistan|TJK marks OP 1 (op-borders), OP 3 (op-follow-up) agreed-ad-ref\n"),
        "{}",
        log(&env)
    );
    assert!(
        chair
            .get("/")
            .text()
            .contains("TJK marks OP 1 (op-borders), OP 3 (op-follow-up) agreed-ad-ref")
    );
    assert!(
        env.read("repo/clauses/op-borders.yaml")
            .contains("status: agreed-ad-ref")
    );
    let mut secretariat = Client::new(&server);
    secretariat.sign_in(&secretariat_link);
    let secretariat_csrf = secretariat.csrf();
    let marked = secretariat.post(
        "/clause/op-borders/mark",
        &[("csrf", &secretariat_csrf), ("status", "agreed")],
    );
    assert_eq!(marked.status, 303, "{}", marked.text());
    assert_eq!(marked.header("location"), Some("/clause/op-borders"));
    assert!(log(&env).starts_with(
        "United Nations Office of Counter-Terrorism|UNOCT marks OP 1 (op-borders) agreed\n"
    ));
    let page = secretariat.get("/clause/op-borders").text();
    assert!(
        page.contains("UNOCT marks OP 1 (op-borders) agreed"),
        "{page}"
    );
    assert!(page.contains("OP 1 is agreed; from now on it is"), "{page}");

    // Cutting: a refusal's reason and hint, escaped; then the cut.
    let refused = chair.post(
        "/revisions",
        &[("csrf", &csrf), ("name", "<b>rev</b>"), ("label", "Rev.1")],
    );
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(!refused.text().contains("<b>rev</b>"), "{}", refused.text());
    assert!(
        refused.text().contains("&lt;b&gt;rev&lt;&#x2F;b&gt;"),
        "{}",
        refused.text()
    );
    assert!(refused.text().contains("No revision was cut"));
    // An accepted amendment whose words the secretariat then edited away by hand: the cut
    // says which, and how to get out of it.
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "QAT",
            "--replace",
            "op-borders",
            "--span",
            "shall cooperate",
            "--text",
            "should cooperate",
        ],
    )
    .success();
    env.decl("repo", &["amend", "accept", "QAT-1", "--as", "TJK"])
        .success();
    let text = env
        .read("repo/clauses/op-borders.yaml")
        .replace("shall cooperate", "will cooperate");
    env.write("repo/clauses/op-borders.yaml", &text);
    env.git("repo", &["commit", "-qam", "Secretariat edits OP 1"])
        .success();
    let before = env.state("repo");
    let refused = chair.post("/revisions", &[("csrf", &csrf), ("name", "rev1")]);
    assert_eq!(refused.status, 422, "{}", refused.text());
    let page = refused.text();
    assert!(
        page.contains("no longer occur exactly once in OP 1"),
        "{page}"
    );
    assert!(
        page.contains("Hint: reopen the amendments named (decl amend reopen QAT-1"),
        "{page}"
    );
    assert!(
        page.contains("value=\"rev1\""),
        "the form keeps the name: {page}"
    );
    assert_eq!(env.state("repo"), before);
    env.decl(
        "repo",
        &[
            "amend", "reopen", "QAT-1", "--as", "TJK", "--reason", "Edited",
        ],
    )
    .success();
    let cut = chair.post(
        "/revisions",
        &[("csrf", &csrf), ("name", "rev1"), ("label", "Rev.1")],
    );
    assert_eq!(cut.status, 303, "{}", cut.text());
    assert!(
        log(&env).starts_with("Republic of Tajikistan|TJK cuts Rev.1 (rev1): 0 amendments applied"),
        "{}",
        log(&env)
    );
    let refused = chair.post("/revisions", &[("csrf", &csrf), ("name", "rev1")]);
    assert_eq!(refused.status, 409, "{}", refused.text());
}

/// The scenario in headless Chromium (tests/browser/serve-e2e.mjs), with screenshots.
#[test]
fn a_negotiation_in_a_real_browser() {
    let browser_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if !crate::common::browser_available() {
        return;
    }
    let env = TestEnv::new();
    env.small("repo");
    env.decl(
        "repo",
        &[
            "revision", "cut", "rev1", "--label", "Rev.1", "--as", "UNOCT",
        ],
    )
    .success();
    let server = Server::start(&env, "repo", &[]);
    let base = format!("http://{}", server.addr);
    let link = |code| sign_in_url(&env, "repo", &server, code);
    let (tur, qat, chair) = (link("TUR"), link("QAT"), link("TJK"));
    let shots = std::env::var("DECL_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| env.root().join("screenshots"));
    std::fs::create_dir_all(&shots).unwrap();
    let output = std::process::Command::new("node")
        .arg(browser_dir.join("serve-e2e.mjs"))
        .args([&base, &tur, &qat, &chair])
        .arg(&shots)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let log = log(&env);
    assert!(log.starts_with("Republic of Tajikistan|TJK cuts Rev.2 (rev2): 1 amendment applied\nRepublic of Tajikistan|TJK accepts TUR-1"), "{log}");
    assert!(log.contains("State of Qatar|QAT supports TUR-1"));
    assert!(log.contains("Republic of Türkiye|TUR proposes TUR-1"));
    assert!(
        std::fs::read(shots.join("redline.docx"))
            .unwrap()
            .starts_with(b"PK")
    );
}

/// Issue 18 in headless Chromium (tests/browser/serve-chair.mjs): the chair accepts a span
/// amendment as modified by editing the whole paragraph the form is prefilled with, after
/// reading its redline, then marks a paragraph, is refused on another, and cuts a revision.
/// The cut paragraph is exactly the one the chair edited; before issue 18 the form's
/// paragraph replaced the amendment's span, so the paragraph was pasted into itself.
#[test]
fn issue_18_the_chair_accepts_as_modified_in_a_real_browser() {
    let browser_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    if !crate::common::browser_available() {
        return;
    }
    let env = TestEnv::new();
    env.small("repo");
    env.decl(
        "repo",
        &[
            "revision", "cut", "rev1", "--label", "Rev.1", "--as", "UNOCT",
        ],
    )
    .success();
    env.decl(
        "repo",
        &[
            "amend",
            "propose",
            "--as",
            "TUR",
            "--replace",
            "op-borders",
            "--span",
            "shall cooperate",
            "--text",
            "should cooperate",
        ],
    )
    .success();
    let original =
        "*Call upon* all States to strengthen border controls and shall cooperate closely;";
    let server = Server::start(&env, "repo", &[]);
    let shots = std::env::var("DECL_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| env.root().join("screenshots"));
    std::fs::create_dir_all(&shots).unwrap();
    let output = std::process::Command::new("node")
        .arg(browser_dir.join("serve-chair.mjs"))
        .arg(format!("http://{}", server.addr))
        .arg(sign_in_url(&env, "repo", &server, "TJK"))
        .args(["TUR-1", "closely;", "fully and in good faith;"])
        .arg(&shots)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    let seen = |key: &str| seen[key].clone();

    // The form held the paragraph as the amendment makes it, not the amendment's span.
    let proposed =
        "*Call upon* all States to strengthen border controls and should cooperate closely;";
    assert_eq!(seen("prefilled"), proposed);
    let edited = "*Call upon* all States to strengthen border controls and should cooperate fully and in good faith;";
    assert_eq!(seen("edited"), edited);
    // The redline the chair read: the chair's paragraph against the current text, once.
    assert_eq!(
        seen("preview"),
        "Call upon all States to strengthen border controls and shallshould cooperate closelyfully and in good faith;"
    );
    assert_eq!(seen("deleted"), serde_json::json!(["shall", "closely"]));
    assert_eq!(
        seen("inserted"),
        serde_json::json!(["should", "fully and in good faith"])
    );

    // Rev.2 holds exactly the chair's paragraph, as the web shows it and as the file says.
    assert_eq!(
        seen("cut"),
        "Call upon all States to strengthen border controls and should cooperate fully and in good faith;"
    );
    let file = env
        .git("repo", &["show", "rev2:clauses/op-borders.yaml"])
        .success()
        .stdout;
    let clause: serde_yaml::Value = serde_yaml::from_str(&file).unwrap();
    let cut = clause["text"].as_str().unwrap();
    assert_eq!(cut, edited);
    // Not the old bug: the whole paragraph put in place of the span "shall cooperate".
    assert_ne!(cut, original.replace("shall cooperate", edited));
    assert_eq!(cut.matches("Call upon").count(), 1, "{cut}");
    let operative_3 = env
        .git("repo", &["show", "rev2:clauses/op-follow-up.yaml"])
        .success()
        .stdout;
    assert!(operative_3.contains("status: agreed\n"), "{operative_3}");

    let log = log(&env);
    assert!(
        log.starts_with(
            "Republic of Tajikistan|TJK cuts Rev.2 (rev2): 1 amendment applied\n\
             Republic of Tajikistan|TJK marks OP 3 (op-follow-up) agreed\n\
             Republic of Tajikistan|TJK accepts TUR-1 as modified"
        ),
        "{log}"
    );
}

#[test]
fn a_sign_in_link_only_asks_and_only_a_same_origin_post_signs_in() {
    let env = TestEnv::new();
    env.small("repo");
    let link = issue(&env, "repo", "TUR", &[]);
    let token = link[link.find("token=").unwrap() + 6..].to_owned();
    let server = Server::start(&env, "repo", &[]);
    let path = &link[link.find("/signin").unwrap()..];

    // Followed from anywhere (a cross-site navigation, an image), the link names the
    // delegation and asks: no session, and the page holding the token is never cached.
    let mut followed = Client::new(&server);
    let asked = followed.request("GET", path, None, &[("Sec-Fetch-Site", "cross-site")]);
    assert_eq!(asked.status, 200);
    assert!(followed.cookie.is_none());
    assert!(
        asked.text().contains("Sign in as Republic of Türkiye"),
        "{}",
        asked.text()
    );
    assert_eq!(asked.header("cache-control"), Some("no-store"));

    // A form posted from another site is refused, and signs nobody in.
    let mut forged = Client::new(&server);
    let body = format!("token={token}");
    for header in [
        ("Origin", "http://evil.example"),
        ("Sec-Fetch-Site", "cross-site"),
    ] {
        let response = forged.request("POST", "/signin", Some(body.clone()), &[header]);
        assert_eq!(response.status, 403, "{}", response.text());
        assert!(forged.cookie.is_none());
    }

    // The confirming POST from the page itself signs in.
    let mut visitor = Client::new(&server);
    visitor.sign_in(&link);
    assert!(visitor.get("/").text().contains("Türkiye"));
}
