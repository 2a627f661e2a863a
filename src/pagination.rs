//! Lists that page themselves.
//!
//! `build/pagination.rs` gives each paginated operation's builder two methods,
//! `pages()` and `stream()`, built on the types here. Which operations page,
//! and how, is read off the spec's shapes by `cargo xtask regen` and listed in
//! `openapi/NORMALIZATION.md`.
//!
//! A [`Pages`] stream sends one request per page, and only when the caller
//! asks for the next item: nothing is fetched ahead. Each request goes through
//! the client's token and retry handling like any call.
//!
//! The stream advances by what the server returned, not by what it asked
//! for, so a server that caps its pages below the size asked for loses
//! nothing. It ends:
//! - when the list's length, where the answer gives it, is reached;
//! - on an empty page (without a length, a short page may be a capped one,
//!   so the stream asks once more);
//! - on a page that brings nothing new: every item on it arrived before (a
//!   server that ignores the offset, or a page that repeats); that page is
//!   not handed on;
//! - on a missing, empty or already sent next-page token (a cycle A, B, A);
//! - after a failed request, which is a stream item of its own, after the
//!   items of the pages before it.
//!
//! A stream that has fetched [`DEFAULT_MAX_PAGES`] pages (or the limit set
//! with [`Pages::max_pages`]) and would fetch more ends with
//! [`Error::PageLimit`] instead: a list never ends silently short.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::hash::Hasher as _;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use serde_json::Value;

use crate::{Error, ResponseValue};

/// Where the next page starts.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Cursor {
    /// The number of items to skip (`offset`).
    Offset(i64),
    /// The 1-based number of the page (`pageNumber`).
    Page(i64),
    /// The token Spotnana gave for the next page (`nextPageToken`); `None`
    /// for the first page, which is sent as the caller built it.
    Token(Option<String>),
}

/// The most pages a stream fetches unless [`Pages::max_pages`] says
/// otherwise: 10,000 (ten million items in pages of a thousand).
pub const DEFAULT_MAX_PAGES: usize = 10_000;

/// What the stream needs to know of a page: a fingerprint of each item it
/// holds (see [`fingerprints`]), the list's length when the answer gives it,
/// and the next page's token.
#[derive(Debug, Default)]
pub(crate) struct PageInfo {
    pub(crate) items: Vec<u64>,
    pub(crate) total: Option<i64>,
    pub(crate) next_token: Option<String>,
}

/// A fingerprint of each item, from its `Debug` form, so that the stream can
/// tell a page that brings nothing new. Written into the hasher, with no
/// buffer.
///
/// `Debug` rather than the JSON form because every model's `Debug` is
/// compiled anyway, while serialising into the hasher compiled each answer
/// model's `Serialize` once more for this writer (about 3,900 functions with
/// every API). Two items that differ only in a secret field (which `Debug`
/// redacts) share a fingerprint; a page of nothing but such items is the only
/// one this could stop early.
pub(crate) fn fingerprints<'i, T: std::fmt::Debug + 'i>(items: impl Iterator<Item = &'i T>) -> Vec<u64> {
    use std::fmt::Write as _;
    struct Hashing(std::collections::hash_map::DefaultHasher);
    impl std::fmt::Write for Hashing {
        fn write_str(&mut self, text: &str) -> std::fmt::Result {
            self.0.write(text.as_bytes());
            Ok(())
        }
    }
    items
        .map(|item| {
            let mut hashing = Hashing(Default::default());
            // Writing into the hasher cannot fail, and a `Debug` impl that
            // did would only leave its item's fingerprint shorter.
            let _ = write!(hashing, "{item:?}");
            hashing.0.finish()
        })
        .collect()
}

type Fetch<'a, P> = Box<dyn FnMut(Cursor) -> PageFuture<'a, P> + Send + 'a>;
type PageFuture<'a, P> = Pin<Box<dyn Future<Output = Result<ResponseValue<P>, Error>> + Send + 'a>>;

/// The pages of a paginated list, each the operation's whole typed answer, as
/// a [`Stream`]. Made by a builder's `pages()`.
pub struct Pages<'a, P> {
    fetch: Fetch<'a, P>,
    /// What a page holds.
    info: fn(&P) -> PageInfo,
    /// Items asked for per page, when the request says.
    page_size: Option<i64>,
    next: Option<Cursor>,
    pending: Option<PageFuture<'a, P>>,
    /// The fingerprints of every item so far.
    seen: HashSet<u64>,
    /// Items received so far (repeats included).
    received: i64,
    /// Next-page tokens sent so far.
    tokens: HashSet<String>,
    fetched: usize,
    max_pages: usize,
}

impl<'a, P> Pages<'a, P> {
    /// Pages that start at `first` and ask for `page_size` items each (when
    /// known); `fetch` sends the request for one cursor, `info` reads a page.
    pub(crate) fn new(first: Cursor, page_size: Option<i64>, info: fn(&P) -> PageInfo, fetch: Fetch<'a, P>) -> Self {
        Self {
            fetch,
            info,
            page_size: page_size.map(|s| s.max(1)),
            next: Some(first),
            pending: None,
            seen: HashSet::new(),
            received: 0,
            tokens: HashSet::new(),
            fetched: 0,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }

    /// The next page, fetched now; `None` once the list has ended. A failed
    /// request is an `Err` page; the stream ends after it. No other crate is
    /// needed: `while let Some(page) = pages.next().await`.
    pub async fn next(&mut self) -> Option<Result<ResponseValue<P>, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every page of the list, or the first error.
    pub async fn try_collect(mut self) -> Result<Vec<ResponseValue<P>>, Error> {
        let mut all = Vec::new();
        while let Some(page) = self.next().await {
            all.push(page?);
        }
        Ok(all)
    }

    /// Fetches at most `pages` pages (at least 1; default
    /// [`DEFAULT_MAX_PAGES`]); a list with more ends with
    /// [`Error::PageLimit`] after the items of the last page fetched.
    pub fn max_pages(mut self, pages: usize) -> Self {
        self.max_pages = pages.max(1);
        self
    }

    /// What comes after a page that started at `at`: the next cursor, the
    /// end, or (for a page that brings nothing new) the end without the page
    /// (the end conditions in the module docs).
    fn after(&mut self, at: &Cursor, page: PageInfo) -> After {
        let count = i64::try_from(page.items.len()).unwrap_or(i64::MAX);
        let mut fresh = 0usize;
        for item in &page.items {
            fresh += usize::from(self.seen.insert(*item));
        }
        if count > 0 && fresh == 0 {
            return After::Repeat;
        }
        self.received = self.received.saturating_add(count);
        let next = match at {
            Cursor::Token(sent) => {
                if let Some(sent) = sent {
                    self.tokens.insert(sent.clone());
                }
                page.next_token.filter(|t| !t.is_empty() && !self.tokens.contains(t)).map(|t| Cursor::Token(Some(t)))
            }
            _ if count == 0 => None,
            Cursor::Offset(offset) => {
                let next = offset.saturating_add(count);
                page.total.is_none_or(|total| next < total).then_some(Cursor::Offset(next))
            }
            Cursor::Page(number) => {
                page.total.is_none_or(|total| self.received < total).then_some(Cursor::Page(number.saturating_add(1)))
            }
        };
        next.map_or(After::Last, After::Next)
    }
}

/// What follows a page.
#[derive(Debug, PartialEq)]
enum After {
    /// Fetch the page at this cursor.
    Next(Cursor),
    /// The page was the last one.
    Last,
    /// The page brought nothing new (every item on it arrived before): the
    /// list ended before it, and it is not handed on.
    Repeat,
}

impl<P> std::fmt::Debug for Pages<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("page_size", &self.page_size)
            .field("next", &self.next)
            .field("fetched", &self.fetched)
            .field("max_pages", &self.max_pages)
            .finish_non_exhaustive()
    }
}

impl<P> Stream for Pages<'_, P> {
    type Item = Result<ResponseValue<P>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // `Pages` holds only boxed futures and plain values: it is `Unpin`.
        let this = Pin::into_inner(self);
        if this.pending.is_none() {
            match &this.next {
                Some(_) if this.fetched >= this.max_pages => {
                    this.next = None;
                    return Poll::Ready(Some(Err(Error::PageLimit { pages: this.fetched })));
                }
                Some(cursor) => {
                    this.fetched += 1;
                    this.pending = Some((this.fetch)(cursor.clone()));
                }
                None => return Poll::Ready(None),
            }
        }
        let Some(pending) = this.pending.as_mut() else { return Poll::Ready(None) };
        let result = std::task::ready!(pending.as_mut().poll(cx));
        this.pending = None;
        let at = this.next.take();
        match result {
            Ok(page) => {
                let info = (this.info)(&page);
                match at.map(|at| this.after(&at, info)) {
                    Some(After::Next(cursor)) => this.next = Some(cursor),
                    Some(After::Repeat) => return Poll::Ready(None),
                    Some(After::Last) | None => {}
                }
                Poll::Ready(Some(Ok(page)))
            }
            // The stream ends after an error: `next` stays `None`.
            Err(e) => Poll::Ready(Some(Err(e))),
        }
    }
}

/// Every item of a paginated list, page after page, as a [`Stream`]. Made by
/// a builder's `stream()`.
pub struct Items<'a, P, T> {
    pages: Pages<'a, P>,
    items: fn(P) -> Vec<T>,
    buffered: VecDeque<T>,
}

impl<'a, P, T> Items<'a, P, T> {
    pub(crate) fn new(pages: Pages<'a, P>, items: fn(P) -> Vec<T>) -> Self {
        Self { pages, items, buffered: VecDeque::new() }
    }

    /// Fetches at most `pages` pages, as [`Pages::max_pages`].
    pub fn max_pages(mut self, pages: usize) -> Self {
        self.pages = self.pages.max_pages(pages);
        self
    }

    /// The next item, fetching the next page when the last one is used up;
    /// `None` once the list has ended. A failed request is an `Err` item,
    /// after the items before it; the stream ends after it.
    ///
    /// No other crate is needed: `while let Some(item) = items.next().await`.
    /// (The type is also a [`Stream`], for `futures::StreamExt` and the like.)
    pub async fn next(&mut self) -> Option<Result<T, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every item of the list, or the first error.
    pub async fn try_collect(mut self) -> Result<Vec<T>, Error> {
        let mut all = Vec::new();
        while let Some(item) = self.next().await {
            all.push(item?);
        }
        Ok(all)
    }
}

impl<P, T> std::fmt::Debug for Items<'_, P, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items").field("pages", &self.pages).field("buffered", &self.buffered.len()).finish()
    }
}

impl<P, T> Unpin for Items<'_, P, T> {}

impl<P, T> Stream for Items<'_, P, T> {
    type Item = Result<T, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = Pin::into_inner(self);
        loop {
            if let Some(item) = this.buffered.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match std::task::ready!(Pin::new(&mut this.pages).poll_next(cx)) {
                Some(Ok(page)) => this.buffered.extend((this.items)(page.into_inner())),
                Some(Err(e)) => return Poll::Ready(Some(Err(e))),
                None => return Poll::Ready(None),
            }
        }
    }
}

/// The JSON of a request body that pages in its body: the stream sets the
/// start (and the page size) in it for every page.
///
/// Through the body's bytes rather than `serde_json::to_value`: the bytes
/// are what sending the body compiles anyway, while `to_value` compiled each
/// paged body's `Serialize` once more, for `Value`.
pub(crate) fn json_body<B: serde::Serialize>(body: Result<B, String>) -> Result<Value, String> {
    let cannot = |e: serde_json::Error| format!("the request body cannot be paged: {e}");
    body.and_then(|b| serde_json::from_slice(&serde_json::to_vec(&b).map_err(cannot)?).map_err(cannot))
}

/// The integer at `pointer` in a request body, if set.
pub(crate) fn json_int(body: &Result<Value, String>, pointer: &str) -> Option<i64> {
    body.as_ref().ok()?.pointer(pointer)?.as_i64()
}

/// Sets `pointer` in a request body to `value`, making the objects on the way.
pub(crate) fn json_set(body: &mut Result<Value, String>, pointer: &str, value: Value) {
    if let Ok(body) = body.as_mut() {
        set_pointer(body, pointer, value);
    }
}

/// Sets `pointer` (a JSON pointer of property names) in `target` to `value`,
/// making the objects on the way.
pub(crate) fn set_pointer(target: &mut Value, pointer: &str, value: Value) {
    let mut at = target;
    let mut names = pointer.split('/').skip(1).peekable();
    while let Some(name) = names.next() {
        if !at.is_object() {
            *at = Value::Object(serde_json::Map::new());
        }
        let Value::Object(object) = at else { return };
        if names.peek().is_none() {
            object.insert(name.to_string(), value);
            return;
        }
        at = object.entry(name.to_string()).or_insert(Value::Null);
    }
}

/// The typed request body for one page.
///
/// Through bytes, as [`json_body`] is.
pub(crate) fn json_typed<B: serde::de::DeserializeOwned>(body: Result<Value, String>) -> Result<B, String> {
    let unfit = |e: serde_json::Error| format!("the paged request body does not fit its type: {e}");
    body.and_then(|b| crate::decode::from_slice(&serde_json::to_vec(&b).map_err(unfit)?).map_err(unfit))
}

/// The object that asks for the page after `token`: `template` (the JSON of
/// the branch's fixed fields, such as its discriminator) with `field` set.
// Only the lists that page by token call it, and not every API set has one.
#[allow(dead_code)]
pub(crate) fn token_request(template: &str, field: &str, token: &str) -> Value {
    let mut request = serde_json::from_str::<Value>(template).unwrap_or_default();
    if let Value::Object(object) = &mut request {
        object.insert(field.to_string(), Value::String(token.to_string()));
    } else {
        request = serde_json::json!({ field: token });
    }
    request
}

/// The integer types progenitor gives paging parameters (`i64`, `u64`,
/// `NonZeroU32`, ...), converted to and from the `i64` the streams count in.
pub(crate) trait PageParam: Sized + Copy {
    /// The value as an `i64` (saturating).
    fn to_i64(self) -> i64;
    /// The parameter for `value`, or why it cannot hold it.
    fn from_i64(value: i64) -> Result<Self, String>;
}

macro_rules! page_param {
    ($($ty:ty),*) => {$(
        impl PageParam for $ty {
            fn to_i64(self) -> i64 {
                i64::try_from(self).unwrap_or(i64::MAX)
            }
            fn from_i64(value: i64) -> Result<Self, String> {
                <$ty>::try_from(value).map_err(|e| format!("paging parameter {value}: {e}"))
            }
        }
    )*};
}
page_param!(i32, i64, u32, u64);

macro_rules! non_zero_page_param {
    ($($ty:ty => $int:ty),*) => {$(
        impl PageParam for $ty {
            fn to_i64(self) -> i64 {
                self.get().to_i64()
            }
            fn from_i64(value: i64) -> Result<Self, String> {
                <$ty>::new(<$int>::from_i64(value)?).ok_or_else(|| format!("paging parameter {value} must not be 0"))
            }
        }
    )*};
}
non_zero_page_param!(std::num::NonZeroU32 => u32, std::num::NonZeroU64 => u64);

#[cfg(test)]
mod tests {
    use super::{fingerprints, After, Cursor, PageInfo, Pages};

    /// Pages that are never fetched: the tests drive `after` by hand.
    fn pages(first: Cursor) -> Pages<'static, ()> {
        Pages::new(first, Some(2), |_| PageInfo::default(), Box::new(|_| Box::pin(std::future::pending())))
    }

    fn page(items: &[u64], total: Option<i64>, next_token: Option<&str>) -> PageInfo {
        PageInfo { items: items.to_vec(), total, next_token: next_token.map(String::from) }
    }

    #[test]
    fn equal_items_share_a_fingerprint_and_different_ones_do_not() {
        #[derive(Debug)]
        struct Office {
            name: &'static str,
            floor: Option<u8>,
        }
        let items = [
            Office { name: "HQ", floor: Some(3) },
            Office { name: "HQ", floor: Some(3) },
            Office { name: "HQ", floor: None },
            Office { name: "Annex", floor: Some(3) },
        ];
        let got = fingerprints(items.iter());
        assert_eq!(got.len(), 4);
        assert_eq!(got[0], got[1]);
        assert_ne!(got[0], got[2]);
        assert_ne!(got[0], got[3]);
        assert_ne!(got[2], got[3]);
    }

    #[test]
    fn offsets_move_by_what_the_server_returned_and_stop_at_the_total() {
        let mut p = pages(Cursor::Offset(0));
        // A server that caps pages at 2 whatever was asked: the next offset is 2.
        assert_eq!(p.after(&Cursor::Offset(0), page(&[1, 2], Some(5), None)), After::Next(Cursor::Offset(2)));
        assert_eq!(p.after(&Cursor::Offset(2), page(&[3, 4], Some(5), None)), After::Next(Cursor::Offset(4)));
        assert_eq!(p.after(&Cursor::Offset(4), page(&[5], Some(5), None)), After::Last);
    }

    #[test]
    fn without_a_total_a_short_page_asks_once_more_and_an_empty_one_ends() {
        let mut p = pages(Cursor::Offset(0));
        assert_eq!(p.after(&Cursor::Offset(0), page(&[1], None, None)), After::Next(Cursor::Offset(1)));
        assert_eq!(p.after(&Cursor::Offset(1), page(&[], None, None)), After::Last);
    }

    #[test]
    fn a_server_that_ignores_the_offset_ends_the_list_without_repeating_it() {
        let mut p = pages(Cursor::Offset(0));
        assert_eq!(p.after(&Cursor::Offset(0), page(&[1, 2], None, None)), After::Next(Cursor::Offset(2)));
        assert_eq!(p.after(&Cursor::Offset(2), page(&[1, 2], None, None)), After::Repeat);
    }

    #[test]
    fn page_numbers_count_items_received_against_the_total() {
        let mut p = pages(Cursor::Page(1));
        assert_eq!(p.after(&Cursor::Page(1), page(&[1, 2], Some(3), None)), After::Next(Cursor::Page(2)));
        assert_eq!(p.after(&Cursor::Page(2), page(&[3], Some(3), None)), After::Last);
    }

    #[test]
    fn a_token_sent_before_ends_the_list() {
        let mut p = pages(Cursor::Token(None));
        let a = Cursor::Token(Some("a".into()));
        assert_eq!(p.after(&Cursor::Token(None), page(&[1], None, Some("a"))), After::Next(a.clone()));
        let b = Cursor::Token(Some("b".into()));
        assert_eq!(p.after(&a, page(&[2], None, Some("b"))), After::Next(b.clone()));
        assert_eq!(p.after(&b, page(&[3], None, Some("a"))), After::Last, "A, B, A is a cycle");
        let mut q = pages(Cursor::Token(None));
        assert_eq!(q.after(&Cursor::Token(None), page(&[1], None, Some(""))), After::Last, "an empty token ends");
    }

    #[test]
    fn offsets_and_counts_near_the_integer_limit_saturate() {
        let mut p = pages(Cursor::Offset(i64::MAX - 1));
        let at = Cursor::Offset(i64::MAX - 1);
        assert_eq!(p.after(&at, page(&[1, 2, 3], None, None)), After::Next(Cursor::Offset(i64::MAX)));
        let mut q = pages(Cursor::Page(i64::MAX));
        assert_eq!(q.after(&Cursor::Page(i64::MAX), page(&[1], None, None)), After::Next(Cursor::Page(i64::MAX)));
    }

    #[test]
    fn max_pages_is_at_least_one() {
        assert_eq!(pages(Cursor::Offset(0)).max_pages(0).max_pages, 1);
    }
}
