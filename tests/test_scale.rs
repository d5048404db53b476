//! The benchmark generator at its small size, as CI's smoke test of issue 9's machinery: the
//! repository it records through decl's own actions (objects held in memory and written as
//! packs) is a valid, fully packed git repository that decl reads, and the same seed gives the
//! same history.

use crate::common::TestEnv;

#[test]
fn the_small_generated_negotiation_is_valid_packed_and_reproducible() {
    let env = TestEnv::new();
    // A pack every 40 actions: several packs, and `git gc --auto` between them.
    let args = ["--size", "small", "--seed", "3", "--pack-every", "40"];
    let first = env.generate(&[&args[..], &["one"]].concat()).success();
    assert!(first.stdout.contains("amendments:  50"), "{}", first.stdout);
    assert!(
        !first.stdout.contains("refused actions"),
        "the generator chose an action the rules refuse:\n{}",
        first.stdout
    );
    env.generate(&[&args[..], &["two"]].concat()).success();

    let head = |name: &str| env.git(name, &["rev-parse", "HEAD"]).success().stdout;
    assert_eq!(head("one"), head("two"), "the same seed, the same commits");
    let commits: usize = env
        .git("one", &["rev-list", "--count", "HEAD"])
        .success()
        .stdout
        .trim()
        .parse()
        .unwrap();
    assert!(commits > 150, "one commit per action: {commits}");

    // Every object reachable and intact, none of them loose, the tags among them.
    env.git("one", &["fsck", "--strict", "--no-dangling"])
        .success();
    let counts = env.git("one", &["count-objects", "-v"]).success().stdout;
    assert!(counts.lines().any(|l| l == "count: 0"), "{counts}");
    assert_eq!(
        env.git("one", &["tag", "--list"]).success().stdout,
        "rev1\nrev2\nzero-draft\n"
    );
    // The index decl wrote matches the working tree, for git too.
    assert_eq!(
        env.git("one", &["status", "--porcelain"]).success().stdout,
        ""
    );

    env.decl("one", &["check"]).success();
    let list = env.decl("one", &["amend", "list"]).success().stdout;
    assert!(list.contains("D001-1"), "{list}");
    env.decl("one", &["redline", "rev1", "rev2"]).success();
}
