//! A bounded load test of `decl serve` on loopback: CLIENTS signed-in clients for SECONDS
//! seconds, each reading the compilation page and, every fifth request, proposing an
//! amendment. Afterwards every proposal the server confirmed must be in the repository.
//!
//! cargo build --release && cargo run --release --example serve_load -- \
//!     target/release/decl REPO_DIR [CLIENTS] [SECONDS] [CLAUSE]
//!
//! REPO_DIR must be a declaration repository with a member TUR and the clause CLAUSE
//! (default `op-follow-up`), e.g. one made by `decl init --from drafts/dushanbe-2022`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (decl, repo) = (&args[1], &args[2]);
    let clients: usize = args.get(3).map_or(50, |a| a.parse().unwrap());
    let seconds: u64 = args.get(4).map_or(30, |a| a.parse().unwrap());
    let clause = args
        .get(5)
        .cloned()
        .unwrap_or_else(|| "op-follow-up".into());
    let before = amendment_files(repo);
    let mut server = Command::new(decl)
        .args(["-C", repo, "serve", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(server.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let addr = first
        .split("http://")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let handles: Vec<_> = (0..clients)
        .map(|_| {
            let out = Command::new(decl)
                .args(["-C", repo, "token", "issue", "--for", "TUR"])
                .output()
                .unwrap();
            let link = String::from_utf8(out.stdout).unwrap();
            let path = link.lines().next().unwrap();
            let path = path[path.find("/signin").unwrap()..].to_owned();
            let addr = addr.clone();
            let clause = clause.clone();
            std::thread::spawn(move || {
                let (_, headers, _) = request(&addr, "GET", &path, None, "");
                let cookie = headers
                    .lines()
                    .find_map(|l| l.to_lowercase().starts_with("set-cookie:").then(|| l[11..].trim().split(';').next().unwrap().to_owned()))
                    .unwrap();
                let (_, _, page) = request(&addr, "GET", "/propose", Some(&cookie), "");
                let at = page.find("name=\"csrf\" value=\"").unwrap() + 19;
                let csrf = page[at..at + 64].to_owned();
                let deadline = Instant::now() + Duration::from_secs(seconds);
                let (mut reads, mut writes, mut proposed, mut errors) = (Vec::new(), Vec::new(), 0, 0);
                let mut n = 0;
                while Instant::now() < deadline {
                    n += 1;
                    let start = Instant::now();
                    if n % 5 == 0 {
                        let body = format!("csrf={csrf}&operation=replace&clause={clause}&text=Decide+to+meet+again+in+{n}.&intent=submit");
                        let (status, _, _) = request(&addr, "POST", "/propose", Some(&cookie), &body);
                        writes.push(start.elapsed());
                        if status == 303 { proposed += 1 } else { errors += 1 }
                    } else {
                        let (status, _, _) = request(&addr, "GET", "/compilation", Some(&cookie), "");
                        reads.push(start.elapsed());
                        if status != 200 { errors += 1 }
                    }
                }
                (reads, writes, proposed, errors)
            })
        })
        .collect();
    let (mut reads, mut writes, mut proposed, mut errors) = (Vec::new(), Vec::new(), 0, 0);
    for handle in handles {
        let (r, w, p, e) = handle.join().unwrap();
        reads.extend(r);
        writes.extend(w);
        proposed += p;
        errors += e;
    }
    let _ = server.kill();
    let _ = server.wait();
    let after = amendment_files(repo);
    println!(
        "{clients} clients, {seconds} s; errors: {errors}; proposals confirmed: {proposed}, in the repository: {}",
        after - before
    );
    for (name, mut times) in [("GET /compilation", reads), ("POST /propose", writes)] {
        times.sort();
        let pct = |p: f64| {
            times
                .get(((times.len() as f64 - 1.0) * p) as usize)
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        println!(
            "{name}: {} requests, p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            times.len(),
            pct(0.5),
            pct(0.9),
            pct(0.99),
            pct(1.0)
        );
    }
    assert_eq!(errors, 0, "no request may fail");
    assert_eq!(
        after - before,
        proposed,
        "no confirmed proposal may be lost"
    );
}

fn request(
    addr: &str,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: &str,
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(cookie) = cookie {
        head.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    if method == "POST" {
        head.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    head.push_str(body);
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (headers, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = headers
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, headers.to_owned(), body.to_owned())
}

/// The amendment files in `repo`: one folder per proposing delegation.
fn amendment_files(repo: &str) -> usize {
    std::fs::read_dir(format!("{repo}/amendments"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|folder| std::fs::read_dir(folder.path()).map_or(0, |d| d.count()))
        .sum()
}
