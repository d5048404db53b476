//! The help text of every command, as users read it.

use crate::common::TestEnv;

#[test]
fn help_of_every_command() {
    let env = TestEnv::new();
    let commands: &[&[&str]] = &[
        &[],
        &["init"],
        &["check"],
        &["status"],
        &["show"],
        &["amend"],
        &["amend", "propose"],
        &["amend", "accept"],
        &["amend", "list"],
        &["revision", "cut"],
        &["clause", "mark"],
        &["log"],
        &["blame"],
        &["verify"],
        &["clone"],
        &["sync"],
    ];
    let mut all = String::new();
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let output = env.decl("", &args).success();
        all.push_str(&format!(
            "===== decl {}\n{}\n",
            command.join(" "),
            output.stdout
        ));
    }
    insta::assert_snapshot!("help", all);
}
