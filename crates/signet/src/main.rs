//! The `signet` binary: the command line of the `signet` library (`signet::cli`).

fn main() -> anyhow::Result<()> {
    signet::cli::run()
}
