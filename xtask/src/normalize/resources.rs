//! Recording the resource families and their safe creates.
//!
//! The rule is `src/resources.rs`, the SDK's own, included here by path so
//! that the report says exactly what the sandbox keeps state for and which
//! creates get `send_or_find()`. Nothing in the document changes.

use serde_json::Value;

use super::report::Report;

#[path = "../../../src/resources.rs"]
#[allow(dead_code)]
pub(crate) mod rule;

/// Logs every family and every create/lookup pair of `doc`.
pub fn record(doc: &Value, report: &mut Report) {
    let ops = doc["paths"].as_object().into_iter().flatten().flat_map(|(path, item)| {
        item.as_object()
            .into_iter()
            .flatten()
            .filter(|(_, op)| op.get("operationId").is_some())
            .map(move |(method, op)| (path.as_str(), method.as_str(), op))
    });
    let families = rule::families(doc, ops.clone());
    bookings(doc, ops, report);
    let log = report.rule(
        "resource-families",
        "The sandbox keeps state for these, and nothing else: a `POST` on a collection path ending in a literal \
         (`/v2/users`) with operations on `{collection}/{id}` (in any version prefix) is a family. `GET` on the item \
         reads, `PUT` replaces, `PATCH` and `POST` merge, `DELETE` deletes; `GET` on the collection or `POST` on \
         `{collection}/list` lists, filtered by each query parameter whose name the create's body has. The id in an \
         answer is the property named after the path parameter, else `id`, on the answer or one level down. The \
         document is not changed; the rule is `src/resources.rs`.",
    );
    for f in &families {
        let read =
            f.read.as_ref().map_or("no read".to_string(), |(op, at)| format!("read `{op}` (id at `{}`)", at.pointer()));
        let created =
            f.created_id.as_ref().map_or("no id in the answer".to_string(), |at| format!("id at `{}`", at.pointer()));
        let lists: Vec<String> = f
            .lists
            .iter()
            .map(|l| {
                let filters =
                    if l.filters.is_empty() { String::new() } else { format!(" by {}", l.filters.join(", ")) };
                format!("`{}`{filters}", l.operation)
            })
            .collect();
        let names = |ops: &[String]| ops.iter().map(|o| format!("`{o}`")).collect::<Vec<_>>().join(", ");
        let updates: Vec<String> = f
            .updates
            .iter()
            .map(|(op, merge)| format!("`{op}` ({})", if *merge { "merge" } else { "replace" }))
            .collect();
        log.changes.push(format!(
            "`{}` (`{}`{}): create `{}` ({created}); {read}; update {}; delete {}; list {}",
            f.collection,
            f.id_param,
            if f.uuid_ids { ", UUID" } else { "" },
            f.create,
            if updates.is_empty() { "none".into() } else { updates.join(", ") },
            if f.deletes.is_empty() { "none".into() } else { names(&f.deletes) },
            if lists.is_empty() { "none".into() } else { lists.join(", ") },
        ));
    }
    let log = report.rule(
        "safe-creates",
        "Spotnana has no idempotency key; its guidance is to send your own external id and look the resource up by it \
         after an ambiguous failure. A family's create gets `send_or_find()` when its body has `externalId` (or \
         `external…Id` inside an `external…` object) and a `GET` with an `externalId` query parameter sits on the \
         collection, on `{collection}/{word}`, or on another path ending in the collection's last segment; the \
         lookup's other parameters come from the create's path or body, by name. The rule is `src/resources.rs`.",
    );
    for f in &families {
        let Some(l) = &f.lookup else { continue };
        let params: Vec<String> = l
            .params
            .iter()
            .map(|(name, _, source)| match source {
                rule::Source::Path(p) => format!("`{name}` from the path's `{p}`"),
                rule::Source::Body(p) => format!("`{name}` from the body's `{p}`"),
            })
            .collect();
        let with = if params.is_empty() { String::new() } else { format!(", with {}", params.join(", ")) };
        log.changes.push(format!(
            "`{}` (external id at `{}`) → `{}` `{}?externalId=`{with}; the found id at `{}`",
            f.create,
            l.external_id,
            l.operation,
            l.path,
            l.found.pointer()
        ));
    }
}

/// Logs the operations the sandbox books, cancels and shows PNRs with.
fn bookings<'a>(doc: &'a Value, ops: impl Iterator<Item = (&'a str, &'a str, &'a Value)>, report: &mut Report) {
    let b = rule::bookings(doc, ops);
    let log = report.rule(
        "sandbox-bookings",
        "In the sandbox a booking lands on its trip: a `POST …/create-pnr` whose answer has a `pnrId` books onto the \
         trip its request names (a `tripId` at most two objects down, or a `bookingId` that a `POST` answering a \
         top-level `bookingId` issued for a trip); `POST …/cancel-pnr` and `POST …/pnrs/{pnrId}/cancel` cancel; a \
         `GET …/{tripId}/…/detail` with an array of `pnrId` items, and a `POST …/list` with an array of `tripId` items that \
         hold `pnrId` items, show them. The document is not changed; the rule is `src/resources.rs`.",
    );
    for (op, named) in &b.books {
        let how = match named {
            rule::Booked::Trip(at) => format!("the trip at `{at}`"),
            rule::Booked::BookingId(at) => format!("the booking id at `{at}`"),
        };
        log.changes.push(format!("`{op}` books onto {how}"));
    }
    for (op, at) in &b.issuers {
        log.changes.push(format!("`{op}` issues booking ids for the trip at `{at}`"));
    }
    for (op, pnr) in &b.cancels {
        let at = match pnr {
            rule::Source::Path(p) => format!("path parameter `{p}`"),
            rule::Source::Body(p) => format!("`{p}`"),
        };
        log.changes.push(format!("`{op}` cancels the PNR at {at}"));
    }
    for (op, array) in &b.trip_views {
        log.changes.push(format!("`{op}` shows the trip's PNRs in `{array}`"));
    }
    for (op, array) in &b.trip_lists {
        log.changes.push(format!("`{op}` lists trips in `{array}`"));
    }
}
