//! Lists that page themselves.
//!
//! `build/pagination.rs` gives each paginated operation's builder two methods,
//! `pages()` and `stream()`, built on the types here. Which operations page,
//! and how, is read off the spec's shapes by `cargo xtask regen` and listed in
//! `openapi/NORMALIZATION.md`.
//!
//! A [`Pages`] stream sends one request per page, and only when the caller
//! asks for the next item: nothing is fetched ahead. Each request goes through
//! the client's token and retry handling like any call. The stream ends on the
//! style's own end condition (the list's length where the answer gives it,
//! else a page shorter than the page size; no next-page token), and a failed
//! request is a stream item, after the items of the pages before it; the
//! stream ends after it.

use std::collections::VecDeque;
use std::future::Future;
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

/// What the stream needs to know of a page: how many items it holds, the
/// list's length when the answer gives it, and the next page's token.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct PageInfo {
    pub items: usize,
    pub total: Option<i64>,
    pub next_token: Option<String>,
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
}

impl<'a, P> Pages<'a, P> {
    /// Pages that start at `first` and ask for `page_size` items each (when
    /// known); `fetch` sends the request for one cursor, `info` reads a page.
    #[doc(hidden)]
    pub fn new(first: Cursor, page_size: Option<i64>, info: fn(&P) -> PageInfo, fetch: Fetch<'a, P>) -> Self {
        Self { fetch, info, page_size: page_size.map(|s| s.max(1)), next: Some(first), pending: None }
    }

    /// The cursor after a page that started at `at`, or `None` when that
    /// page was the last. A list's length, where the answer gives it, decides;
    /// else a page shorter than the page size is the last. An empty page is
    /// always the last, and so is a page whose next token is missing, empty,
    /// or the one just sent (a server repeating itself would loop forever).
    fn after(&self, at: &Cursor, page: PageInfo) -> Option<Cursor> {
        let items = i64::try_from(page.items).unwrap_or(i64::MAX);
        match at {
            Cursor::Token(sent) => {
                let next = page.next_token.filter(|t| !t.is_empty() && Some(t) != sent.as_ref())?;
                Some(Cursor::Token(Some(next)))
            }
            _ if items == 0 => None,
            Cursor::Offset(offset) => {
                let next = offset.saturating_add(items);
                let more = match (page.total, self.page_size) {
                    (Some(total), _) => next < total,
                    (None, Some(size)) => items >= size,
                    (None, None) => true,
                };
                more.then_some(Cursor::Offset(next))
            }
            Cursor::Page(number) => {
                let size = self.page_size.unwrap_or(items);
                let more = match page.total {
                    Some(total) => number.saturating_sub(1).saturating_mul(size).saturating_add(items) < total,
                    None => items >= size,
                };
                more.then_some(Cursor::Page(number.saturating_add(1)))
            }
        }
    }
}

impl<P> std::fmt::Debug for Pages<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages").field("page_size", &self.page_size).field("next", &self.next).finish_non_exhaustive()
    }
}

impl<P> Stream for Pages<'_, P> {
    type Item = Result<ResponseValue<P>, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        // `Pages` holds only boxed futures and plain values: it is `Unpin`.
        let this = Pin::into_inner(self);
        if this.pending.is_none() {
            match &this.next {
                Some(cursor) => this.pending = Some((this.fetch)(cursor.clone())),
                None => return Poll::Ready(None),
            }
        }
        let Some(pending) = this.pending.as_mut() else { return Poll::Ready(None) };
        let result = std::task::ready!(pending.as_mut().poll(cx));
        this.pending = None;
        let at = this.next.take();
        match result {
            Ok(page) => {
                this.next = at.and_then(|at| this.after(&at, (this.info)(&page)));
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
    #[doc(hidden)]
    pub fn new(pages: Pages<'a, P>, items: fn(P) -> Vec<T>) -> Self {
        Self { pages, items, buffered: VecDeque::new() }
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
#[doc(hidden)]
pub fn json_body<B: serde::Serialize>(body: Result<B, String>) -> Result<Value, String> {
    body.and_then(|b| serde_json::to_value(b).map_err(|e| format!("the request body cannot be paged: {e}")))
}

/// The integer at `pointer` in a request body, if set.
#[doc(hidden)]
pub fn json_int(body: &Result<Value, String>, pointer: &str) -> Option<i64> {
    body.as_ref().ok()?.pointer(pointer)?.as_i64()
}

/// Sets `pointer` in a request body to `value`, making the objects on the way.
#[doc(hidden)]
pub fn json_set(body: &mut Result<Value, String>, pointer: &str, value: Value) {
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
#[doc(hidden)]
pub fn json_typed<B: serde::de::DeserializeOwned>(body: Result<Value, String>) -> Result<B, String> {
    body.and_then(|b| serde_json::from_value(b).map_err(|e| format!("the paged request body does not fit its type: {e}")))
}

/// The object that asks for the page after `token`: `template` (the JSON of
/// the branch's fixed fields, such as its discriminator) with `field` set.
#[doc(hidden)]
pub fn token_request(template: &str, field: &str, token: &str) -> Value {
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
#[doc(hidden)]
pub trait PageParam: Sized + Copy {
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
