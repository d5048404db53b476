//! The `decl` binary: hands the command line to the library and exits with its code.

fn main() -> std::process::ExitCode {
    decl::cli::main()
}
