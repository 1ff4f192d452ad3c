//! commsplan: communication-pattern decisions and checklist lints for microservices.

pub mod analysis;
pub mod baseline;
pub mod cli;
pub mod codes;
pub mod commands;
pub mod config;
pub mod diagram;
pub mod diff;
pub mod drift;
pub mod finding;
pub mod flowchart;
pub mod generate;
pub mod graph;
pub mod grouping;
pub mod import;
pub mod model;
pub mod recommended;
pub mod report;
pub mod rules;
pub mod source_io;
pub mod stacks;
pub mod suppress;
pub mod timing;
