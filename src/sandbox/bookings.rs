//! Bookings land on trips: a booking operation stores a PNR under the trip
//! its request names, a cancel marks it cancelled, and the trip's detail
//! and the trip summary lists show it. Which operations do what is the
//! rule `crate::resources::bookings`, keyed on paths and answer shapes.
//!
//! The PNR is a resource of the PNR family (`/v3/trips/{tripId}/pnrs`), so
//! `getPnrV3` reads it back like one made with `createPnrV3`.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{json, Value};

use super::deliveries::ChangeKind;
use super::spec::{Answer, Spec};
use super::store::{not_found, Call, Inner, Store};
use super::synth::Synth;
use crate::pagination::set_pointer;
use crate::resources::{self, Booked, IdAt, Source};

pub(super) struct Bookings {
    rules: resources::Bookings,
    /// Booking ids an issuer gave, with the trip each stands for.
    issued: Mutex<HashMap<String, String>>,
}

impl Bookings {
    pub(super) fn new(spec: &'static Spec) -> Self {
        Self { rules: resources::bookings(&spec.doc, crate::spec::operations(&spec.doc)), issued: Mutex::default() }
    }

    /// Answers a booking operation, or `None` for any other.
    pub(super) fn handle(&self, spec: &Spec, store: &Store, call: &Call<'_>) -> Option<Answer> {
        let id = call.route.id.as_str();
        let (trips, pnrs) = (store.family_of_param("tripId")?, store.family_of_param("pnrId")?);
        let mut inner = store.lock();
        if let Some((_, at)) = self.rules.issuers.iter().find(|(op, _)| op == id) {
            let trip = text_at(call.body, at)?;
            if !store.exists(&inner, trips, &trip) {
                return Some(not_found("tripId", &trip));
            }
            let booking = format!("sbx-booking-{}", fastrand::u64(..));
            self.issued.lock().unwrap_or_else(|p| p.into_inner()).insert(booking.clone(), trip);
            let mut answer = spec.success(call.route, call.fill);
            set_pointer(answer.body.get_or_insert_with(|| json!({})), "/bookingId", json!(booking));
            return Some(answer);
        }
        if let Some((_, named)) = self.rules.books.iter().find(|(op, _)| op == id) {
            let trip = match named {
                Booked::Trip(at) => text_at(call.body, at),
                Booked::BookingId(at) => {
                    let booking = text_at(call.body, at)?;
                    self.issued.lock().unwrap_or_else(|p| p.into_inner()).get(&booking).cloned()
                }
            };
            // A booking id this sandbox never issued books nothing (and, with
            // strict ids, is not found).
            let Some(trip) = trip else { return store.strict().then(|| not_found("bookingId", "")) };
            if !store.exists(&inner, trips, &trip) {
                return Some(not_found("tripId", &trip));
            }
            let pnr = store.issue(&store.families[pnrs]);
            let mut record = store.record_of(&mut inner, call, "pnrId");
            record.parents.insert("tripId".into(), trip);
            inner.records.insert((pnrs, pnr.clone()), record);
            store.note(spec, &mut inner, pnrs, &pnr, ChangeKind::Created, call.fill);
            let mut answer = spec.success(call.route, call.fill);
            set_pointer(answer.body.get_or_insert_with(|| json!({})), "/pnrId", json!(pnr));
            return Some(answer);
        }
        if let Some((_, at)) = self.rules.cancels.iter().find(|(op, _)| op == id) {
            let pnr = match at {
                Source::Path(p) => call.params.get(p).cloned(),
                Source::Body(p) => text_at(call.body, p),
            }?;
            if !store.exists(&inner, pnrs, &pnr) {
                return Some(not_found("pnrId", &pnr));
            }
            if let Some(record) = inner.records.get_mut(&(pnrs, pnr.clone())) {
                record.cancelled = true;
                store.note(spec, &mut inner, pnrs, &pnr, ChangeKind::Cancelled, call.fill);
            }
            return Some(spec.success(call.route, call.fill));
        }
        if let Some((_, array)) = self.rules.trip_views.iter().find(|(op, _)| op == id) {
            let trip = call.params.get("tripId")?;
            if !store.exists(&inner, trips, trip) {
                return Some(not_found("tripId", trip));
            }
            let mut answer = spec.success(call.route, call.fill);
            let body = answer.body.get_or_insert_with(|| json!({}));
            let schema = store.answer(id)?;
            let items = self.pnrs_of(store, &inner, call, schema, array, trip);
            set_pointer(body, &format!("/{array}"), Value::Array(items));
            // The answer's own trip object, when it has one (`basicTripInfo`).
            if let Some(record) = inner.records.get(&(trips, trip.clone())) {
                self.render_as(store, call, body, schema, trips, trip, Some(record));
            }
            return Some(answer);
        }
        if let Some((_, array)) = self.rules.trip_lists.iter().find(|(op, _)| op == id) {
            let schema = store.answer(id)?;
            let item_schema = item_of(store.doc, schema, array)?;
            let held: Vec<String> = call.params.keys().cloned().collect();
            let mut items = Vec::new();
            for (trip, record) in store.matching_all(&inner, trips) {
                // A path parameter filters where the trip holds a field of its name.
                let body = record.body();
                if !held.iter().all(|k| !mentions(&body, k) || super::store::holds(&body, k, &call.params[k], 3)) {
                    continue;
                }
                let mut item = Synth::new(store.doc, call.fill).instance(item_schema);
                let at = resources::id_at(store.doc, item_schema, "tripId")?;
                store.fill_in(
                    &mut item,
                    &at.object,
                    resources::schema_at(store.doc, item_schema, &at.object),
                    Some(record),
                    call.fill,
                );
                super::store::set_id(&mut item, &at, trip);
                if let Some((nested, _)) = resources::array_with(store.doc, item_schema, "pnrId") {
                    set_pointer(
                        &mut item,
                        &format!("/{nested}"),
                        Value::Array(self.pnrs_of(store, &inner, call, item_schema, nested, trip)),
                    );
                }
                items.push(item);
            }
            let mut answer = super::lists::page(spec, call.route, call.query, call.body, call.fill, &items)
                .unwrap_or_else(|| spec.success(call.route, call.fill));
            if !call.route.paginated() {
                set_pointer(answer.body.get_or_insert_with(|| json!({})), &format!("/{array}"), Value::Array(items));
            }
            return Some(answer);
        }
        None
    }

    /// The PNRs of `trip`, as items of the array `array` of `schema`: each
    /// with its `pnrId` and, in a property shaped as the PNR family's read
    /// answer, what was booked.
    fn pnrs_of(
        &self,
        store: &Store,
        inner: &Inner,
        call: &Call<'_>,
        schema: &'static Value,
        array: &str,
        trip: &str,
    ) -> Vec<Value> {
        let Some(pnrs) = store.family_of_param("pnrId") else { return Vec::new() };
        let Some(item_schema) = item_of(store.doc, schema, array) else { return Vec::new() };
        let mut out = Vec::new();
        for (pnr, record) in store.matching_all(inner, pnrs) {
            if record.parents.get("tripId").map(String::as_str) != Some(trip) {
                continue;
            }
            let mut item = Synth::new(store.doc, call.fill).instance(item_schema);
            if let Some(at) = resources::id_at(store.doc, item_schema, "pnrId") {
                store.fill_in(
                    &mut item,
                    &at.object,
                    resources::schema_at(store.doc, item_schema, &at.object),
                    Some(record),
                    call.fill,
                );
                super::store::set_id(&mut item, &at, pnr);
            }
            self.render_as(store, call, &mut item, item_schema, pnrs, pnr, Some(record));
            out.push(item);
        }
        out
    }

    /// Fills each property of `object` (an instance of `schema`) whose
    /// schema is the read answer of `family`, with the record and its id.
    #[allow(clippy::too_many_arguments)]
    fn render_as(
        &self,
        store: &Store,
        call: &Call<'_>,
        object: &mut Value,
        schema: &'static Value,
        family: usize,
        id: &str,
        record: Option<&super::store::Record>,
    ) {
        let Some((read, _)) = &store.families[family].read else { return };
        let Some(read_schema) = store.answer(read) else { return };
        for (name, property) in resources::properties(store.doc, schema) {
            if std::ptr::eq(resources::resolve(store.doc, property), read_schema) {
                let at = resources::id_at(store.doc, read_schema, &store.families[family].id_param);
                let pointer = format!("/{name}");
                store.fill_in(object, &pointer, Some(read_schema), record, call.fill);
                if let Some(at) = at {
                    let inner = IdAt { object: format!("{pointer}{}", at.object), ..at };
                    super::store::set_id(object, &inner, id);
                }
            }
        }
    }
}

/// The text at `pointer` of a request body: a string, or a number as text.
fn text_at(body: Option<&Value>, pointer: &str) -> Option<String> {
    match body?.pointer(pointer)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The item schema of the array property `array` of `schema`.
fn item_of(doc: &'static Value, schema: &'static Value, array: &str) -> Option<&'static Value> {
    let (_, property) = resources::properties(doc, schema).into_iter().find(|(n, _)| *n == array)?;
    Some(resources::resolve(doc, property.get("items")?))
}

/// Whether `value` has a key `name` anywhere in its first three levels.
fn mentions(value: &Value, name: &str) -> bool {
    fn walk(value: &Value, name: &str, depth: usize) -> bool {
        let Value::Object(map) = value else { return false };
        map.contains_key(name) || (depth > 1 && map.values().any(|v| walk(v, name, depth - 1)))
    }
    walk(value, name, 3)
}
