//! What an operation may do to the account: read it, add to it, or change
//! and remove what is there. The `spotnana` command line and its MCP server
//! decide from this what an agent may call without the operator's leave.
//!
//! The rule keys on the operation's method and the words of its
//! `operationId` and `summary`, never on a list of names:
//!
//! - `GET` reads.
//! - `PUT`, `PATCH` and `DELETE` change or remove: destructive.
//! - A `POST` that books (its words hold `book` or `booking`, or `create`
//!   beside `pnr`), or whose words hold a verb that changes or removes
//!   ([`CHANGE_WORDS`]), is destructive.
//! - Any other `POST` whose summary starts with a verb that only reads
//!   ([`READ_VERBS`]: `Get hotel details`, `List users`, `Validate air
//!   itinerary`) reads.
//! - Any other `POST` that starts with `create` or `add` only adds.
//! - Everything else (`Publish event`, `Send invite`, `Process the PNR
//!   approval`) is destructive: what the rule cannot place is treated as the
//!   most dangerous.
//!
//! `xtask` includes this file by path and lists its verdicts in
//! `openapi/NORMALIZATION.md` (rule `operation-access`).

use super::secret_fields::words;

/// What an operation may do to the account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Access {
    /// Only reads: `GET`, and the `POST`s that search, list, fetch or check.
    Read,
    /// Only adds something new (`createCompany`, `addFavorite`).
    Write,
    /// Books, cancels, modifies or deletes, or anything the rule cannot place.
    Destructive,
}

/// First words of a summary that only read.
pub const READ_VERBS: [&str; 8] = ["get", "list", "search", "fetch", "returns", "validate", "verify", "download"];

/// Words that mark a change to, or removal of, what exists.
pub const CHANGE_WORDS: [&str; 16] = [
    "cancel", "modify", "update", "edit", "delete", "remove", "revoke", "rotate", "suspend", "finalize", "void",
    "exchange", "migrate", "set", "toggle", "store",
];

impl Access {
    /// The access of an operation from its HTTP method (any case), its
    /// `operationId` and its one-line summary.
    pub fn of(method: &str, operation_id: &str, summary: &str) -> Access {
        match method.to_ascii_uppercase().as_str() {
            "GET" | "HEAD" | "OPTIONS" => return Access::Read,
            "POST" => {}
            _ => return Access::Destructive,
        }
        let id = words(operation_id);
        let text = words(summary);
        let all = || id.iter().chain(&text).map(String::as_str);
        let books =
            all().any(|w| w == "book" || w == "booking") || (all().any(|w| w == "create") && all().any(|w| w == "pnr"));
        if books || all().any(|w| CHANGE_WORDS.contains(&w)) {
            return Access::Destructive;
        }
        // The summary says what the operation does; an empty one falls back
        // to the operation id's first word.
        let verb = text.first().or(id.first()).map_or("", String::as_str);
        if READ_VERBS.contains(&verb) {
            Access::Read
        } else if verb == "create" || verb == "add" {
            Access::Write
        } else {
            Access::Destructive
        }
    }

    /// `read`, `write` or `destructive`.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Write => "write",
            Access::Destructive => "destructive",
        }
    }
}

impl std::fmt::Display for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Access::{self, Destructive, Read, Write};

    #[test]
    fn methods_other_than_post_decide_alone() {
        assert_eq!(Access::of("get", "createSomething", "Create"), Read);
        for method in ["PUT", "patch", "DELETE"] {
            assert_eq!(Access::of(method, "listThings", "List things"), Destructive, "{method}");
        }
    }

    #[test]
    fn posts_that_search_or_check_read() {
        assert_eq!(Access::of("POST", "hotelSearch", "Get hotel search results"), Read);
        assert_eq!(Access::of("POST", "listUsersV3", "List users"), Read);
        assert_eq!(Access::of("POST", "airRevalidateItinerary", "Validate air itinerary"), Read);
        assert_eq!(Access::of("POST", "downloadInvoice", "Download PNR invoice"), Read);
        // An empty summary falls back to the id.
        assert_eq!(Access::of("POST", "fetchThings", ""), Read);
    }

    #[test]
    fn bookings_and_changes_are_destructive_whatever_the_verb() {
        assert_eq!(Access::of("POST", "airCreatePnr", "Create air pnr"), Destructive);
        assert_eq!(Access::of("POST", "hotelCreatePnr", "Create a new hotel booking"), Destructive);
        assert_eq!(Access::of("POST", "airInitiateBooking", "Initiate booking"), Destructive);
        assert_eq!(Access::of("POST", "airModifySearchV2", "Modify Search"), Destructive);
        assert_eq!(Access::of("POST", "provisionOrRotateTenantKey", "Create or rotate tenant CMK"), Destructive);
        assert_eq!(Access::of("POST", "deleteApiUser", "Delete an API user"), Destructive);
        // "rebooking" is not "booking": validating a rebooking only reads.
        assert_eq!(Access::of("POST", "hotelValidateRebooking", "Validate rebooking for price"), Read);
    }

    #[test]
    fn creates_add_and_the_unplaced_are_destructive() {
        assert_eq!(Access::of("POST", "createCompany", "Create company"), Write);
        assert_eq!(Access::of("POST", "addFavorite", "Add favorite"), Write);
        assert_eq!(Access::of("POST", "sendInvite", "Send invite"), Destructive);
        assert_eq!(Access::of("POST", "processPnrApproval", "Process the PNR approval"), Destructive);
        assert_eq!(Access::of("POST", "", ""), Destructive);
    }
}
