//! `-f/--format` and `-o/--output`, paired by position so that one run can write
//! several reports: `-f sarif -o commsplan.sarif -f github` writes SARIF to the file and
//! annotations to standard output. Derive cannot see argument positions, hence the
//! hand-written `Args` impl.

use super::Format;
use clap::{value_parser, Arg, ArgAction, ArgMatches, Args, Command, FromArgMatches};
use std::path::PathBuf;

/// One report to write: a format, and a file or (`None`) standard output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub format: Format,
    pub output: Option<PathBuf>,
}

/// The reports of one run, in the order given. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outputs {
    pub targets: Vec<Target>,
}

impl Outputs {
    /// The report written to standard output, if any.
    pub fn stdout(&self) -> Option<&Target> {
        self.targets.iter().find(|t| t.output.is_none())
    }

    /// Pairs formats with outputs by position (`(index, value)` as clap reports them).
    pub fn pair(
        formats: &[(usize, Format)],
        outputs: &[(usize, PathBuf)],
    ) -> Result<Outputs, String> {
        // The one-report form keeps working in either order (`-o x -f json`).
        if formats.len() <= 1 && outputs.len() <= 1 {
            return Ok(Outputs {
                targets: vec![Target {
                    format: formats.first().map_or(Format::Table, |f| f.1),
                    output: outputs.first().map(|o| o.1.clone()),
                }],
            });
        }
        let mut targets: Vec<Target> = formats
            .iter()
            .map(|&(_, format)| Target {
                format,
                output: None,
            })
            .collect();
        for (index, path) in outputs {
            let owner = formats.iter().rposition(|(i, _)| i < index);
            match owner {
                Some(k) if targets[k].output.is_none() => targets[k].output = Some(path.clone()),
                Some(k) => {
                    return Err(format!(
                        "`--format {}` already writes to `{}`; `--output {}` needs its own `--format` before it",
                        targets[k].format,
                        targets[k].output.as_ref().expect("checked").display(),
                        path.display()
                    ))
                }
                None => {
                    return Err(format!(
                        "`--output {}` has no `--format` before it; write `-f FORMAT -o FILE` pairs",
                        path.display()
                    ))
                }
            }
        }
        let to_stdout: Vec<String> = targets
            .iter()
            .filter(|t| t.output.is_none())
            .map(|t| t.format.to_string())
            .collect();
        if to_stdout.len() > 1 {
            return Err(format!(
                "formats {} would all write to standard output; give all but one an `--output FILE` after it",
                to_stdout.join(", ")
            ));
        }
        for (i, t) in targets.iter().enumerate() {
            if let Some(path) = &t.output {
                if targets[..i].iter().any(|u| u.output.as_ref() == Some(path)) {
                    return Err(format!("`--output {}` is given twice", path.display()));
                }
            }
        }
        Ok(Outputs { targets })
    }
}

impl Args for Outputs {
    fn augment_args(cmd: Command) -> Command {
        cmd.arg(
            Arg::new("format")
                .short('f')
                .long("format")
                .value_name("FORMAT")
                .value_parser(value_parser!(Format))
                .action(ArgAction::Append)
                .help("Output format [default: table]; repeat with -o FILE after each for several reports in one run"),
        )
        .arg(
            Arg::new("output")
                .short('o')
                .long("output")
                .value_name("FILE")
                .value_parser(value_parser!(PathBuf))
                .action(ArgAction::Append)
                .help("Write the report of the --format just before it to FILE instead of standard output"),
        )
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

impl FromArgMatches for Outputs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let formats: Vec<(usize, Format)> = match (
            matches.indices_of("format"),
            matches.get_many::<Format>("format"),
        ) {
            (Some(i), Some(v)) => i.zip(v.copied()).collect(),
            _ => Vec::new(),
        };
        let outputs: Vec<(usize, PathBuf)> = match (
            matches.indices_of("output"),
            matches.get_many::<PathBuf>("output"),
        ) {
            (Some(i), Some(v)) => i.zip(v.cloned()).collect(),
            _ => Vec::new(),
        };
        Outputs::pair(&formats, &outputs)
            .map_err(|msg| clap::Error::raw(clap::error::ErrorKind::ArgumentConflict, msg))
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(format: Format, output: Option<&str>) -> Target {
        Target {
            format,
            output: output.map(PathBuf::from),
        }
    }

    #[test]
    fn single_pair_in_either_order() {
        let o = Outputs::pair(&[(3, Format::Json)], &[(1, "r.json".into())]).unwrap();
        assert_eq!(o.targets, vec![t(Format::Json, Some("r.json"))]);
        let o = Outputs::pair(&[], &[(1, "r.txt".into())]).unwrap();
        assert_eq!(o.targets, vec![t(Format::Table, Some("r.txt"))]);
        let o = Outputs::pair(&[], &[]).unwrap();
        assert_eq!(o.targets, vec![t(Format::Table, None)]);
    }

    #[test]
    fn outputs_follow_their_format() {
        let o = Outputs::pair(
            &[(1, Format::Sarif), (5, Format::Github), (7, Format::Junit)],
            &[(3, "a.sarif".into()), (9, "j.xml".into())],
        )
        .unwrap();
        assert_eq!(
            o.targets,
            vec![
                t(Format::Sarif, Some("a.sarif")),
                t(Format::Github, None),
                t(Format::Junit, Some("j.xml")),
            ]
        );
        assert_eq!(o.stdout(), Some(&t(Format::Github, None)));
    }

    #[test]
    fn stray_or_doubled_outputs_are_errors() {
        let e = Outputs::pair(
            &[(3, Format::Sarif), (5, Format::Github)],
            &[(1, "a".into()), (7, "b".into())],
        )
        .unwrap_err();
        assert!(
            e.contains("`--output a` has no `--format` before it"),
            "{e}"
        );
        let e = Outputs::pair(
            &[(1, Format::Sarif), (7, Format::Github)],
            &[(3, "a".into()), (5, "b".into())],
        )
        .unwrap_err();
        assert!(e.contains("already writes to `a`"), "{e}");
        let e = Outputs::pair(&[(1, Format::Sarif), (3, Format::Github)], &[]).unwrap_err();
        assert!(e.contains("sarif, github would all write"), "{e}");
        let e = Outputs::pair(
            &[(1, Format::Sarif), (5, Format::Json)],
            &[(3, "x".into()), (7, "x".into())],
        )
        .unwrap_err();
        assert!(e.contains("given twice"), "{e}");
    }
}
