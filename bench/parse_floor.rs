//! The floor the loader is measured against: read a file and walk every saphyr-parser
//! event, building nothing.
//!
//!     cargo run --release --example parse_floor FILE

use saphyr_parser::{Event, Parser};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse_floor FILE");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("parse_floor: {path}: {err}");
            std::process::exit(2);
        }
    };
    let mut events = 0u64;
    let mut scalar_bytes = 0u64;
    let mut parser = Parser::new_from_str(&text);
    while let Some(next) = parser.next_event() {
        match next {
            Ok((event, _span)) => {
                events += 1;
                if let Event::Scalar(value, ..) = event {
                    scalar_bytes += value.len() as u64;
                }
            }
            Err(err) => {
                eprintln!("parse_floor: {path}: {err}");
                std::process::exit(1);
            }
        }
    }
    // Printed so that the walk cannot be optimised away.
    println!("{events} events, {scalar_bytes} scalar bytes");
}
