//! Merging the per-API documents into one.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::report::Report;
use super::walk::{self, pascal, METHODS};
use super::{Document, NormalizeError};

/// Component sections whose entries are referenced by name and must not clash.
const SECTIONS: [&str; 4] = ["schemas", "responses", "parameters", "requestBodies"];

/// Renames same-name components that differ between documents until every name
/// means one thing, then merges all documents into one.
pub fn merge(docs: &mut [Document], report: &mut Report) -> Result<Value, NormalizeError> {
    separate_conflicts(docs, report);

    let mut components: Map<String, Value> = Map::new();
    let dedup = report.rule(
        "dedupe-components",
        "The eleven documents repeat shared components (`ErrorResponse`, `Money`, ...). A \
         component defined identically in several documents is kept once.",
    );
    for section in SECTIONS {
        let mut merged = Map::new();
        let mut repeats = 0usize;
        for doc in docs.iter() {
            let Some(Value::Object(items)) = doc.value.pointer(&format!("/components/{section}")) else {
                continue;
            };
            for (name, item) in items {
                if merged.contains_key(name) {
                    repeats += 1;
                } else {
                    merged.insert(name.clone(), item.clone());
                }
            }
        }
        if repeats > 0 {
            dedup
                .changes
                .push(format!("{section}: {repeats} repeated definitions folded, {} distinct kept", merged.len()));
        }
        if !merged.is_empty() {
            components.insert(section.to_string(), Value::Object(merged));
        }
    }
    let mut schemes = Map::new();
    for doc in docs.iter() {
        if let Some(Value::Object(s)) = doc.value.pointer("/components/securitySchemes") {
            for (k, v) in s {
                schemes.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    components.insert("securitySchemes".into(), Value::Object(schemes));

    let paths = merge_paths(docs, report)?;
    let mut tags: Vec<Value> = Vec::new();
    let mut seen_tags = BTreeSet::new();
    for doc in docs.iter() {
        for tag in doc.value["tags"].as_array().into_iter().flatten() {
            let name = tag["name"].as_str().unwrap_or_default().to_string();
            if seen_tags.insert(name) {
                tags.push(tag.clone());
            }
        }
    }
    let sources: Vec<String> = docs
        .iter()
        .map(|d| {
            format!(
                "- `{}.json`: {} (version {})",
                d.name,
                d.value["info"]["title"].as_str().unwrap_or("?"),
                d.value["info"]["version"].as_str().unwrap_or("?")
            )
        })
        .collect();
    let servers = docs.iter().find_map(|d| d.value.get("servers").cloned()).unwrap_or(json!([]));

    Ok(json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Spotnana API",
            "version": "2.0",
            "description": format!(
                "All of Spotnana's public APIs in one document, normalised from:\n\n{}",
                sources.join("\n")
            ),
        },
        "servers": servers,
        "security": [{ "Bearer": [] }],
        "tags": tags,
        "paths": paths,
        "components": components,
    }))
}

/// Gives each differing definition of a shared name its own name, repeating until
/// no name is defined differently anywhere (renaming one schema changes the text
/// of schemas that reference it, which may then differ in turn).
fn separate_conflicts(docs: &mut [Document], report: &mut Report) {
    let log = report.rule(
        "separate-conflicts",
        "A component name defined differently in different documents (e.g. `Leg` in air and \
         trip). The most widely shared definition keeps the name; each other definition is \
         renamed `{Name}{Api}` after the first document that defines it, and every `$ref` in \
         those documents (discriminator mappings included) is rewritten. Repeats until no name \
         is ambiguous, since a rename changes the schemas that reference it.",
    );
    loop {
        let mut renamed_any = false;
        for section in SECTIONS {
            let mut variants: BTreeMap<String, Vec<(String, Vec<usize>)>> = BTreeMap::new();
            for (i, doc) in docs.iter().enumerate() {
                let Some(Value::Object(items)) = doc.value.pointer(&format!("/components/{section}")) else {
                    continue;
                };
                for (name, item) in items {
                    let text = item.to_string();
                    let groups = variants.entry(name.clone()).or_default();
                    match groups.iter_mut().find(|(t, _)| *t == text) {
                        Some((_, idx)) => idx.push(i),
                        None => groups.push((text, vec![i])),
                    }
                }
            }
            let taken: BTreeSet<String> = variants.keys().cloned().collect();
            for (name, mut groups) in variants {
                if groups.len() < 2 {
                    continue;
                }
                // Widest group keeps the name; ties go to the earliest document.
                groups.sort_by_key(|(_, idx)| (std::cmp::Reverse(idx.len()), idx[0]));
                for (_, idx) in groups.iter().skip(1) {
                    let base = format!("{name}{}", pascal(&docs[idx[0]].name));
                    let mut new = base.clone();
                    let mut n = 2;
                    while taken.contains(&new) {
                        new = format!("{base}{n}");
                        n += 1;
                    }
                    let from = format!("#/components/{section}/{name}");
                    let to = format!("#/components/{section}/{new}");
                    for &i in idx {
                        let doc = &mut docs[i];
                        let items = doc
                            .value
                            .pointer_mut(&format!("/components/{section}"))
                            .and_then(Value::as_object_mut)
                            .expect("the section was read above");
                        let item = items.remove(&name).expect("the name was read above");
                        items.insert(new.clone(), item);
                        let refs = walk::rewrite_strings(&mut doc.value, &from, &to);
                        log.changes
                            .push(format!("{}: {section} `{name}` is `{new}` ({refs} references rewritten)", doc.name));
                    }
                    renamed_any = true;
                }
            }
        }
        if !renamed_any {
            break;
        }
    }
}

/// Unions the paths of all documents. An operation published in two documents is
/// kept once when both copies are identical; differing copies are an error.
fn merge_paths(docs: &[Document], report: &mut Report) -> Result<Map<String, Value>, NormalizeError> {
    let log = report.rule(
        "dedupe-operations",
        "An operation (path and method) published identically in two documents is kept once.",
    );
    let mut paths: Map<String, Value> = Map::new();
    let mut owner: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut publishers: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for doc in docs {
        let Some(Value::Object(doc_paths)) = doc.value.get("paths") else {
            continue;
        };
        for (path, item) in doc_paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            let target = paths
                .entry(path.clone())
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("path items are objects");
            for (key, value) in item {
                if METHODS.contains(&key.as_str()) {
                    publishers.entry((path.clone(), key.clone())).or_default().push(doc.name.clone());
                }
                let Some(existing) = target.get(key) else {
                    target.insert(key.clone(), value.clone());
                    if METHODS.contains(&key.as_str()) {
                        owner.insert((path.clone(), key.clone()), doc.name.clone());
                    }
                    continue;
                };
                if !METHODS.contains(&key.as_str()) || existing == value {
                    if METHODS.contains(&key.as_str()) {
                        let first = &owner[&(path.clone(), key.clone())];
                        log.changes.push(format!(
                            "{} {path}: identical in {first} and {}",
                            key.to_uppercase(),
                            doc.name
                        ));
                    }
                    continue;
                }
                return Err(NormalizeError::ConflictingOperation {
                    operation: walk::op_name(path, key, value),
                    first: owner[&(path.clone(), key.clone())].clone(),
                    second: doc.name.clone(),
                });
            }
        }
    }
    // Which documents publish each operation, for per-API features and tools.
    let apis = report.rule(
        "operation-apis",
        "Each operation is tagged `x-spotnana-apis` with the documents (APIs) that publish it.",
    );
    for ((path, method), names) in &publishers {
        if let Some(op) = paths.get_mut(path).and_then(|item| item.get_mut(method)).and_then(Value::as_object_mut) {
            op.insert(crate::contract::API_TAG.into(), Value::from(names.clone()));
            if names.len() > 1 {
                apis.changes.push(format!("{} {path}: {}", method.to_uppercase(), names.join(", ")));
            }
        }
    }
    Ok(paths)
}
