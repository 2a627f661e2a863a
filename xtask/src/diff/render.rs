//! `openapi/CHANGES.md` and the paragraph regen prints.

use std::fmt::Write as _;

use super::{ApiDiff, Change, ChangeKind, Impact, Subject};

const INTRO: &str = "\
Written by `cargo xtask regen` when the spec it writes differs from the
`openapi/spotnana.json` checked in before it; regen leaves this file alone when
the API has not changed. Do not edit by hand.
";

const RULES: &str = "\
How a change is classed, for a generated client whose models are Rust structs
with public fields and builders:

- **breaking**: code that compiles and works today may not afterwards. A removed
  operation, schema, property, parameter, request body, response or enum value;
  a changed type (`type`, `format`, `nullable`, `$ref` target, `allOf`/`oneOf`
  members) or content type; a property made required or optional (the field
  moves between `T` and `Option<T>`); a new required property, parameter or
  request body.
- **additive**: nothing that compiles today stops compiling. New operations,
  schemas, optional parameters, optional request bodies and responses; a
  parameter or body made optional; a changed path or method (the Rust method
  keeps its name and arguments; only the request it sends changes).
- A new **optional property** is additive. Strictly it breaks code that builds
  the struct with a struct literal, which must now name the field; but generated
  models are built with their builders, which start it at `None`.
";

const ENUMS_CLOSED: &str = "\
- A new **enum value** is breaking: the generated enums are closed Rust enums,
  so exhaustive `match`es stop compiling and older code cannot decode the value.
  `ENUMS_ARE_OPEN` in `xtask/src/diff/mod.rs` makes it additive once the enums
  keep unknown values in a catch-all variant.
";

const ENUMS_OPEN: &str = "\
- A new **enum value** is additive: the generated enums keep unknown values in a
  catch-all variant (`ENUMS_ARE_OPEN` in `xtask/src/diff/mod.rs` is true).
";

/// Counts of added, removed and changed operations or schemas.
#[derive(Default)]
struct Tally {
    added: usize,
    removed: usize,
    changed: usize,
}

impl ApiDiff {
    fn subjects(&self, operations: bool) -> Vec<(&Subject, Vec<&Change>)> {
        let mut out: Vec<(&Subject, Vec<&Change>)> = Vec::new();
        for c in self.changes.iter().filter(|c| matches!(c.subject, Subject::Operation { .. }) == operations) {
            match out.last_mut() {
                Some((s, list)) if *s == &c.subject => list.push(c),
                _ => out.push((&c.subject, vec![c])),
            }
        }
        out
    }

    fn tally(&self, operations: bool) -> Tally {
        let mut t = Tally::default();
        for (_, changes) in self.subjects(operations) {
            match changes[0].kind {
                ChangeKind::Added => t.added += 1,
                ChangeKind::Removed => t.removed += 1,
                _ => t.changed += 1,
            }
        }
        t
    }

    fn counts(&self) -> (usize, usize) {
        let breaking = self.changes.iter().filter(|c| matches!(c.impact, Impact::Breaking(_))).count();
        (breaking, self.changes.len() - breaking)
    }

    /// One paragraph: the verdict and how many operations and schemas changed.
    pub fn summary(&self) -> String {
        if self.is_empty() {
            return "no API changes".into();
        }
        let (breaking, additive) = self.counts();
        let (ops, schemas) = (self.tally(true), self.tally(false));
        format!(
            "API changes: {} ({breaking} breaking, {additive} additive). Operations: {} added, {} removed, {} changed. \
             Schemas: {} added, {} removed, {} changed.",
            self.verdict().as_str(),
            ops.added,
            ops.removed,
            ops.changed,
            schemas.added,
            schemas.removed,
            schemas.changed,
        )
    }

    /// `openapi/CHANGES.md`: the verdict, how changes are classed, and every change
    /// by operation and schema, each breaking one with its reason.
    pub fn to_markdown(&self) -> String {
        let (breaking, additive) = self.counts();
        let mut out = format!(
            "# API changes\n\n**Verdict: {}** ({breaking} breaking, {additive} additive).\n\n{INTRO}\n{RULES}",
            self.verdict().as_str()
        );
        out.push_str(if self.policy.enums_are_open { ENUMS_OPEN } else { ENUMS_CLOSED });
        for (title, operations) in [("Operations", true), ("Schemas", false)] {
            let subjects = self.subjects(operations);
            if subjects.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n## {title}");
            for (heading, wanted) in [("Added", Some(true)), ("Removed", Some(false)), ("Changed", None)] {
                let group: Vec<_> = subjects.iter().filter(|(_, c)| added_or_removed(&c[0].kind) == wanted).collect();
                if group.is_empty() {
                    continue;
                }
                let _ = writeln!(out, "\n### {heading}");
                if wanted.is_some() {
                    out.push('\n');
                }
                for (subject, changes) in group {
                    if wanted.is_some() {
                        let _ = writeln!(out, "- {}{}", name(subject), impact(&changes[0].impact));
                        continue;
                    }
                    let _ = writeln!(out, "\n#### {}\n", name(subject));
                    for c in changes {
                        let _ = writeln!(out, "- {}{}", describe(&c.kind), impact(&c.impact));
                    }
                }
            }
        }
        if !self.notes.is_empty() {
            out.push_str("\n## Not compared\n\n");
            for n in &self.notes {
                let _ = writeln!(out, "- {n}");
            }
        }
        out
    }
}

fn added_or_removed(kind: &ChangeKind) -> Option<bool> {
    match kind {
        ChangeKind::Added => Some(true),
        ChangeKind::Removed => Some(false),
        _ => None,
    }
}

fn name(subject: &Subject) -> String {
    match subject {
        Subject::Operation { id, endpoint } => format!("`{id}` (`{endpoint}`)"),
        Subject::Schema(name) => format!("`{name}`"),
    }
}

fn impact(impact: &Impact) -> String {
    match impact {
        Impact::Breaking(why) => format!(" — **breaking**: {why}"),
        Impact::Additive => String::new(),
    }
}

fn optional(required: bool) -> &'static str {
    if required {
        "required"
    } else {
        "optional"
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        return "(none)".into();
    }
    items.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
}

/// One line for a change inside a changed operation or schema.
fn describe(kind: &ChangeKind) -> String {
    use ChangeKind::*;
    match kind {
        Added => "added".into(),
        Removed => "removed".into(),
        PathChanged { from, to } => format!("path changed from `{from}` to `{to}`"),
        MethodChanged { from, to } => format!("method changed from `{from}` to `{to}`"),
        ParameterAdded { param, required } => format!("parameter `{param}` added, {}", optional(*required)),
        ParameterRemoved { param } => format!("parameter `{param}` removed"),
        ParameterRequired { param, required } => format!("parameter `{param}` made {}", optional(*required)),
        RequestBodyAdded { required } => format!("request body added, {}", optional(*required)),
        RequestBodyRemoved => "request body removed".into(),
        RequestBodyRequired { required } => format!("request body made {}", optional(*required)),
        ContentTypes { at, from, to } => format!("{at}: content types changed from {} to {}", list(from), list(to)),
        ResponseAdded { status } => format!("response `{status}` added"),
        ResponseRemoved { status } => format!("response `{status}` removed"),
        PropertyAdded { at, required } => format!("property `{at}` added, {}", optional(*required)),
        PropertyRemoved { at } => format!("property `{at}` removed"),
        PropertyRequired { at, required } => format!("property `{at}` made {}", optional(*required)),
        EnumValueAdded { at, value } => format!("`{at}`: enum value `{value}` added"),
        EnumValueRemoved { at, value } => format!("`{at}`: enum value `{value}` removed"),
        TypeChanged { at, from, to } => format!("`{at}`: type changed from `{from}` to `{to}`"),
    }
}
