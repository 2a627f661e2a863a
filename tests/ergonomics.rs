//! What a new user writes, compiled and run against the sandbox: models
//! built from plain values and nested builders, `build()` errors that name
//! every field, union variants with names, tags the SDK fills in, and
//! streams read without another crate.

use spotnana::sandbox::Sandbox;
use spotnana::types::{
    AirportSearch, BusinessInfo, CompanyRole, CreateCompanyRequest, EntityId, HotelSearchParamsSearchBy,
    ListUsersV3Request, Name, OffsetBasedPaginationRequestParams, Persona, Reference, UserCreateRequest,
    UserPersonalInfo,
};

const COMPANY: &str = "00000000-0000-4000-8000-0000000c0042";
const LEGAL_ENTITY: &str = "00000000-0000-4000-8000-0000000e0042";

// hr-feed: start (checked by `the_hr_feed_needs_no_conversions`)
/// An HR feed's user: plain values and nested builders, nothing converted
/// by hand.
fn employee(id: &str, given: &str, family: &str, email: &str) -> spotnana::types::builder::UserCreateRequest {
    UserCreateRequest::builder()
        .persona(Persona::Employee)
        .external_id(id)
        .personal_info(UserPersonalInfo::builder().email(email).name(Name::builder().given(given).family1(family)))
        .business_info(
            BusinessInfo::builder()
                .employee_id(id)
                .designation("Engineer")
                .organization_ref(Reference::builder().id(COMPANY))
                .legal_entity_ref(Reference::builder().id(LEGAL_ENTITY)),
        )
}
// hr-feed: end

#[tokio::test]
async fn an_hr_feed_creates_a_user_from_plain_values_and_nested_builders() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    let request = employee("emp-1", "Ada", "Lovelace", "ada@example.com");
    client.create_user().body(request).send().await.expect("the user is created");
    let found = client.query_user().external_id("emp-1").send().await.expect("the lookup answers").into_inner();
    let stored = sandbox.stored("createUser");
    assert_eq!(stored.len(), 1, "one user held");
    let body = &stored[0].1;
    assert_eq!(body["personalInfo"]["name"]["family1"], "Lovelace", "{body}");
    assert_eq!(body["businessInfo"]["organizationRef"]["id"], COMPANY, "{body}");
    assert_eq!(found.elements.len(), 1, "queryUser finds it by its external id");
}

#[test]
fn the_hr_feed_needs_no_conversions() {
    let source = include_str!("ergonomics.rs");
    let start = source.find("// hr-feed: start").expect("the start marker");
    let end = source.find("// hr-feed: end").expect("the end marker");
    let feed = &source[start..end];
    for conversion in ["Some(", "try_into", "to_string", "into()"] {
        assert!(!feed.contains(conversion), "the HR feed writes {conversion}");
    }
}

#[test]
fn build_names_every_missing_field_with_its_path() {
    let error = Name::builder().middle("Augusta").build().expect_err("two required fields are missing");
    assert_eq!(error.missing().collect::<Vec<_>>(), ["family1", "given"]);
    let error = employee("emp-2", "Grace", "Hopper", "grace@example.com")
        .personal_info(UserPersonalInfo::builder().name(Name::builder().given("Grace")))
        .business_info(BusinessInfo::builder().designation("Admiral"))
        .build()
        .expect_err("nested fields are missing");
    let missing: Vec<&str> = error.missing().collect();
    // In the order found: a nested builder's as it is set (personal_info, then business_info).
    assert_eq!(
        missing,
        ["personal_info.name.family1", "business_info.legal_entity_ref", "business_info.organization_ref"]
    );
    let shown = error.to_string();
    assert!(shown.contains("personal_info.name.family1: no value supplied"), "{shown}");
    let bad = Reference::builder().id("not-a-uuid").build().expect_err("not a UUID");
    assert_eq!(bad.problems()[0].path, "id");
    assert!(bad.to_string().contains("not a UUID"), "{bad}");
}

#[tokio::test]
async fn a_company_s_users_are_listed_with_a_named_variant() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    let pagination = OffsetBasedPaginationRequestParams::builder().limit(10u32).offset(0);
    let request = ListUsersV3Request::company(EntityId::builder().id(COMPANY), pagination).expect("a request");
    let ListUsersV3Request::Company { company_id, .. } = &request else { panic!("the Company variant: {request:?}") };
    assert_eq!(company_id.id.to_string(), COMPANY);
    let json = serde_json::to_value(&request).expect("it serialises");
    assert_eq!(json["companyId"]["id"], COMPANY, "{json}");
    assert_eq!(json["pagination"]["limit"], 10, "{json}");
    client.list_users_v3().body(request).send().await.expect("the sandbox takes it");
    let tmc = ListUsersV3Request::tmc(pagination_of(5), EntityId::builder().id(COMPANY)).expect("a request");
    assert!(matches!(tmc, ListUsersV3Request::Tmc { .. }));
}

fn pagination_of(limit: u32) -> spotnana::types::builder::OffsetBasedPaginationRequestParams {
    OffsetBasedPaginationRequestParams::builder().limit(limit).offset(0)
}

#[test]
fn a_hotel_search_s_tag_is_filled_in_by_the_sdk() {
    let by_airport = AirportSearch::builder().airport("LHR").build().expect("no tag to set");
    let json = serde_json::to_value(HotelSearchParamsSearchBy::from(by_airport)).expect("it serialises");
    assert_eq!(json, serde_json::json!({ "airport": "LHR", "searchType": "AIRPORT" }));
    // A builder goes straight into the union's place.
    let params = spotnana::types::HotelSearchParams::builder().search_by(AirportSearch::builder().airport("CDG"));
    let error = params.build().expect_err("the dates are missing");
    assert_eq!(error.missing().collect::<Vec<_>>(), ["occupancy_dates"]);
}

#[tokio::test]
async fn a_stream_is_read_with_next_and_no_other_crate() {
    let sandbox = Sandbox::start().await.expect("the sandbox starts");
    let client = sandbox.client().expect("a client");
    for i in 0..3 {
        let company = CreateCompanyRequest::builder()
            .name(format!("Stream {i}"))
            .billing_currency("EUR")
            .company_roles([CompanyRole::Org]);
        client.create_company().body(company).send().await.expect("a company");
    }
    let mut companies = client.list_companies().limit(2).stream();
    let mut names = Vec::new();
    while let Some(company) = companies.next().await {
        names.push(company.expect("a company").name.clone().unwrap_or_default());
    }
    assert_eq!(names, ["Stream 0", "Stream 1", "Stream 2"]);
    let all = client.list_companies().limit(2).stream().try_collect().await.expect("every company");
    assert_eq!(all.len(), 3);
    assert_eq!(sandbox.requests("listCompanies"), 4, "two pages for each pass");
}

/// A hotel stay's dates go in as `chrono` values and come back out as them;
/// on the wire they are Spotnana's ISO 8601 strings.
#[test]
fn dates_go_in_and_come_out_as_chrono_values() {
    use spotnana::chrono::{Duration, NaiveDate, Timelike};
    use spotnana::types::{DateTimeOffset, Occupancy, OccupancyDates};

    let check_in = NaiveDate::from_ymd_opt(2027, 3, 1).and_then(|d| d.and_hms_opt(15, 0, 0)).expect("a valid time");
    let dates = OccupancyDates::builder()
        .check_in_date(check_in)
        .check_out_date(check_in + Duration::days(2))
        .occupancy([Occupancy::builder().num_adults(std::num::NonZeroU64::MIN)])
        .build()
        .expect("every field is set");
    let json = serde_json::to_value(&dates).expect("it serialises");
    assert_eq!(json["checkInDate"], serde_json::json!({ "iso8601": "2027-03-01T15:00:00" }));
    assert_eq!(json["checkOutDate"], serde_json::json!({ "iso8601": "2027-03-03T15:00:00" }));
    assert_eq!(dates.check_in_date.to_chrono().expect("it reads back"), check_in);

    let booked: DateTimeOffset =
        serde_json::from_value(serde_json::json!({ "iso8601": "2017-07-21T17:32Z" })).expect("a model");
    let at = booked.to_chrono().expect("Spotnana's form, to the minute, in UTC");
    assert_eq!((at.hour(), at.minute(), at.offset().local_minus_utc()), (17, 32, 0));
}
