//! The `sherpa` binary: parse the command line, set up logging, dispatch,
//! print the error once, exit with the contract's code.

mod cli;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use sherpa::commands;

fn main() -> ExitCode {
    let cli = Cli::parse();
    commands::init_logging(cli.log_level.as_deref(), cli.log_format);
    let result = match cli.command {
        Command::Extract(args) => commands::extract::run(args),
        Command::Parse(args) => commands::parse::run(args),
        Command::Eval(args) => commands::eval::run(args),
        Command::Run(args) => commands::run::run(*args),
        Command::Publish(args) => commands::publish::run(*args),
        Command::Healthcheck(args) => commands::healthcheck::run(args),
        Command::Bench(args) => commands::bench::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("sherpa: error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
