//! commsplan: communication-pattern decisions and checklist lints for microservices.

pub mod analysis;
pub mod cli;
pub mod commands;
pub mod diagram;
pub mod finding;
pub mod flowchart;
pub mod model;
pub mod report;
pub mod rules;
