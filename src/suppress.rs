//! Suppressions written in the architecture file: on an interaction, on a service (every
//! interaction it takes part in, and findings about the service itself), or at the top
//! level (everything, or one `target` interaction or service). A suppressed finding is
//! kept, marked with the reason, and counted apart; a suppression past its `until` date
//! no longer applies and is reported; one that matches nothing is reported too.

use crate::codes::{is_input_code, EXPIRED_SUPPRESSION, UNUSED_SUPPRESSION};
use crate::config::Config;
use crate::finding::{Finding, Suppressed};
use crate::model::fields::{self, Field};
use crate::model::types::Suppression;
use crate::model::{Model, Origin};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

/// Lookup-only maps (nothing iterates them): a fast hasher, still seeded per run.
type FastHash = foldhash::fast::RandomState;

/// Today as `YYYY-MM-DD`: `COMMSPLAN_TODAY` if set (for reproducible runs), else the
/// system clock in UTC.
pub fn today() -> anyhow::Result<String> {
    if let Ok(value) = std::env::var("COMMSPLAN_TODAY") {
        if parse_date(&value).is_none() {
            anyhow::bail!("COMMSPLAN_TODAY must be a date YYYY-MM-DD, got `{value}`");
        }
        return Ok(value);
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `(year, month, day)` of a valid `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Option<(u32, u32, u32)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| s.get(r)?.parse::<u32>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&d).then_some((y, m, d))
}

enum Scope<'a> {
    Interaction(&'a str),
    Service(&'a str),
    /// Top level: everything, or one interaction or service.
    All(Option<&'a str>),
}

struct Entry<'a> {
    suppression: &'a Suppression,
    origin: Origin,
    scope: Scope<'a>,
    /// In force today (not past its `until`).
    live: bool,
}

/// Every suppression of a model, indexed by what it names, so that matching a finding
/// looks at its own interaction and services only, however many suppressions the file
/// has. Matching only reads it, so slices of the findings can be matched in parallel.
pub struct Suppressions<'m> {
    model: &'m Model,
    entries: Vec<Entry<'m>>,
    by_interaction: HashMap<&'m str, Vec<usize>, FastHash>,
    by_service: HashMap<&'m str, Vec<usize>, FastHash>,
    by_target: HashMap<&'m str, Vec<usize>, FastHash>,
    everywhere: Vec<usize>,
}

impl<'m> Suppressions<'m> {
    /// The suppressions, and a finding for each one past its `until`.
    pub fn new(model: &'m Model, today: &str) -> (Suppressions<'m>, Vec<Finding>) {
        let mut entries: Vec<Entry<'m>> = Vec::new();
        let mut push = |suppression: &'m Suppression, origin: Origin, scope: Scope<'m>| {
            let live = suppression
                .until
                .as_deref()
                .is_none_or(|until| until >= today);
            entries.push(Entry {
                suppression,
                origin,
                scope,
                live,
            });
        };
        for decl in &model.interactions {
            for (i, s) in decl.interaction.suppress.iter().enumerate() {
                push(
                    s,
                    child(&decl.origin, s.written_index.unwrap_or(i)),
                    Scope::Interaction(decl.id()),
                );
            }
        }
        for (name, decl) in &model.services {
            for (i, s) in decl.service.suppress.iter().enumerate() {
                push(
                    s,
                    child(&decl.origin, s.written_index.unwrap_or(i)),
                    Scope::Service(name),
                );
            }
        }
        for decl in &model.suppressions {
            let target = decl.suppression.target.as_deref();
            push(&decl.suppression, decl.origin.clone(), Scope::All(target));
        }

        let expired = entries
            .iter()
            .filter(|e| !e.live)
            .map(|e| {
                Finding::new(
                    &EXPIRED_SUPPRESSION,
                    format!(
                        "the suppression of {} expired on {} (today is {today}); its findings are reported again",
                        e.suppression.rule,
                        e.suppression.until.as_deref().unwrap_or_default()
                    ),
                )
                .at(model.at(&e.origin, fields::UNTIL))
                .label("expired")
                .help("fix the findings and remove the suppression, or review it and move `until` forward")
            })
            .collect();

        let mut by_interaction: HashMap<&str, Vec<usize>, FastHash> = HashMap::default();
        let mut by_service: HashMap<&str, Vec<usize>, FastHash> = HashMap::default();
        let mut by_target: HashMap<&str, Vec<usize>, FastHash> = HashMap::default();
        let mut everywhere: Vec<usize> = Vec::new();
        for (index, e) in entries.iter().enumerate() {
            match e.scope {
                Scope::Interaction(id) => by_interaction.entry(id).or_default().push(index),
                Scope::Service(name) => by_service.entry(name).or_default().push(index),
                Scope::All(Some(t)) => by_target.entry(t).or_default().push(index),
                Scope::All(None) => everywhere.push(index),
            }
        }
        let suppressions = Suppressions {
            model,
            entries,
            by_interaction,
            by_service,
            by_target,
            everywhere,
        };
        (suppressions, expired)
    }

    /// One flag per suppression, all unset: which ones matched a finding.
    pub fn unused(&self) -> Vec<AtomicBool> {
        self.entries
            .iter()
            .map(|_| AtomicBool::new(false))
            .collect()
    }

    /// Marks the finding if a suppression in force covers it, and sets `used` for the
    /// suppressions that matched. `ends` are the `from` and `to` of the finding's
    /// interaction, which service-level suppressions also cover.
    pub fn mark(&self, f: &mut Finding, ends: Option<(&str, &str)>, used: &[AtomicBool]) {
        if self.entries.is_empty() || is_input_code(f.code) {
            return;
        }
        fn get<'a>(map: &'a HashMap<&str, Vec<usize>, FastHash>, key: Option<&str>) -> &'a [usize] {
            if map.is_empty() {
                return &[];
            }
            key.and_then(|k| map.get(k)).map_or(&[], Vec::as_slice)
        }
        let interaction = f.interaction.as_deref();
        let (from, to) = ends.map_or((None, None), |(a, b)| (Some(a), Some(b)));
        let service = f.service.as_deref();
        // Narrowest scope first: interaction, then service, then top level.
        let ranks: [[&[usize]; 5]; 3] = [
            [get(&self.by_interaction, interaction), &[], &[], &[], &[]],
            [
                get(&self.by_service, service),
                get(&self.by_service, from),
                get(&self.by_service, to),
                &[],
                &[],
            ],
            [
                self.everywhere.as_slice(),
                get(&self.by_target, interaction),
                get(&self.by_target, service),
                get(&self.by_target, from),
                get(&self.by_target, to),
            ],
        ];
        let mut chosen: Option<usize> = None;
        for candidates in &ranks {
            for &index in candidates.iter().flat_map(|c| c.iter()) {
                let e = &self.entries[index];
                if !e.live || !f.code.starts_with(e.suppression.rule.as_str()) {
                    continue;
                }
                used[index].store(true, Ordering::Relaxed);
                chosen = Some(chosen.map_or(index, |c| c.min(index)));
            }
            if chosen.is_some() {
                break;
            }
        }
        if let Some(index) = chosen {
            let e = &self.entries[index];
            f.suppressed = Some(Box::new(Suppressed {
                reason: e.suppression.reason.clone(),
                by: e.suppression.by.clone(),
                until: e.suppression.until.clone(),
                location: Some(self.model.at(&e.origin, Field::ITSELF)),
            }));
        }
    }

    /// The findings about the suppressions themselves: `expired` (from [`new`]) and the
    /// ones in force that matched nothing, as the config selects them.
    ///
    /// [`new`]: Suppressions::new
    pub fn report(
        &self,
        expired: Vec<Finding>,
        used: &[AtomicBool],
        config: &Config,
        ran: &dyn Fn(&str) -> bool,
    ) -> Vec<Finding> {
        let mut extra = expired;
        for (e, used) in self.entries.iter().zip(used) {
            if used.load(Ordering::Relaxed) || !e.live {
                continue;
            }
            let rule = e.suppression.rule.as_str();
            let known = crate::rules::registry()
                .iter()
                .any(|r| r.code.starts_with(rule) && !rule.is_empty());
            if known && !ran(rule) {
                continue;
            }
            let message = if known {
                let scope = match e.scope {
                    Scope::Interaction(id) => format!("interaction `{id}`"),
                    Scope::Service(name) => format!("service `{name}`"),
                    Scope::All(None) => "the system".to_string(),
                    Scope::All(Some(t)) => format!("`{t}`"),
                };
                format!("the suppression of {rule} on {scope} matches no finding")
            } else {
                let hint = crate::rules::closest_code(rule)
                    .map(|s| format!("; did you mean {s}?"))
                    .unwrap_or_default();
                format!("the suppression names `{rule}`, which is not a rule code{hint}")
            };
            extra.push(
                Finding::new(&UNUSED_SUPPRESSION, message)
                    .at(self.model.at(&e.origin, fields::RULE))
                    .label(if known {
                        "matches nothing"
                    } else {
                        "unknown rule"
                    })
                    .help("remove the suppression, or correct its `rule` or `target`"),
            );
        }
        extra.retain(|f| config.is_selected(f.code));
        for f in &mut extra {
            if let Some(sev) = config.severity_of(f.code) {
                f.severity = sev;
            }
        }
        extra
    }
}

fn child(origin: &Origin, index: usize) -> Origin {
    Origin {
        file: origin.file,
        pointer: format!("{}/suppress/{index}", origin.pointer),
    }
}
